"""Losses: small pure functions with keyword arguments and explicit masks.

Shapes use the leading shape `...` of the training examples ([B, L] for SASRec,
[B] for NeuMF); every loss is a masked mean over those examples.
"""
import jax
import jax.numpy as jnp


def masked_mean(x, mask):
  mask = mask.astype(x.dtype)
  return jnp.sum(x * mask) / jnp.maximum(jnp.sum(mask), 1.0)


def bpr(*, pos_logits, neg_logits_xN, mask):
  """-log sigmoid(pos - neg), averaged over the N negatives and the masked examples."""
  per_example = -jnp.mean(jax.nn.log_sigmoid(pos_logits[..., None] - neg_logits_xN), axis=-1)
  return masked_mean(per_example, mask)


def bce(*, pos_logits, neg_logits_xN, mask):
  """SASRec's original loss: -log sigmoid(pos) - sum_n log(1 - sigmoid(neg_n))."""
  per_example = -jax.nn.log_sigmoid(pos_logits) - jnp.sum(jax.nn.log_sigmoid(-neg_logits_xN), axis=-1)
  return masked_mean(per_example, mask)


def softmax_ce(*, logits_xK, labels, mask):
  """Full softmax cross-entropy; labels index the K candidate columns."""
  logp = jax.nn.log_softmax(logits_xK, axis=-1)
  return masked_mean(-jnp.take_along_axis(logp, labels[..., None], axis=-1)[..., 0], mask)


def pairwise_bpr(*, preferred_logits, other_logits, mask):
  """The augmentation loss on (user, preferred, other) triples from a labeler."""
  return masked_mean(-jax.nn.log_sigmoid(preferred_logits - other_logits), mask)
