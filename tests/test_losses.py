"""Losses against values computed by hand."""
import math

import jax.numpy as jnp
import numpy as np
import pytest

from recjax import losses


def log_sigmoid(x):
  return -math.log1p(math.exp(-x))


def test_bpr_by_hand():
  pos = jnp.array([2.0, 0.0, 5.0])
  neg = jnp.array([[1.0, 3.0], [0.0, -1.0], [100.0, 100.0]])
  mask = jnp.array([True, True, False])  # the third example must not count
  want = -((log_sigmoid(1.0) + log_sigmoid(-1.0)) / 2 + (log_sigmoid(0.0) + log_sigmoid(1.0)) / 2) / 2
  assert losses.bpr(pos_logits=pos, neg_logits_xN=neg, mask=mask) == pytest.approx(want, rel=1e-6)


def test_bce_by_hand():
  pos = jnp.array([[1.0, -2.0]])
  neg = jnp.array([[[0.5], [3.0]]])
  mask = jnp.array([[True, True]])
  want = (-(log_sigmoid(1.0) + log_sigmoid(-0.5)) - (log_sigmoid(-2.0) + log_sigmoid(-3.0))) / 2
  assert losses.bce(pos_logits=pos, neg_logits_xN=neg, mask=mask) == pytest.approx(want, rel=1e-6)


def test_softmax_ce_by_hand():
  logits = jnp.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
  labels = jnp.array([2, 0])
  mask = jnp.array([1.0, 1.0])
  lse = math.log(math.exp(1) + math.exp(2) + math.exp(3))
  want = ((lse - 3.0) + math.log(3.0)) / 2
  assert losses.softmax_ce(logits_xK=logits, labels=labels, mask=mask) == pytest.approx(want, rel=1e-6)


def test_pairwise_bpr_and_empty_mask():
  pref, other = jnp.array([3.0, 1.0]), jnp.array([1.0, 1.0])
  want = -(log_sigmoid(2.0) + log_sigmoid(0.0)) / 2
  assert losses.pairwise_bpr(preferred_logits=pref, other_logits=other,
                             mask=jnp.ones(2)) == pytest.approx(want, rel=1e-6)
  # nothing to learn from: zero, not NaN
  assert float(losses.pairwise_bpr(preferred_logits=pref, other_logits=other, mask=jnp.zeros(2))) == 0.0


def test_bpr_gradient_pushes_positive_up():
  import jax
  g = jax.grad(lambda p: losses.bpr(pos_logits=p, neg_logits_xN=jnp.zeros((1, 1)), mask=jnp.ones(1)))(
      jnp.zeros(1))
  np.testing.assert_allclose(g, [-0.5], rtol=1e-6)  # d/dp -log sigmoid(p) at 0
