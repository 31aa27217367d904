"""The shared model interface, SASRec's causality and NeuMF's split first layer."""
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest

from recjax import models


def build(name, **kw):
  base = dict(sasrec=dict(name="sasrec", seq_len=8, dim=16, blocks=2, heads=2, dropout=0.1),
              neumf=dict(name="neumf", dim=8, mlp_layers=(16, 8)))[name]
  config = ml_collections.ConfigDict({"model": {**base, **kw}})
  model = models.create(config, num_users=5, num_items=30)
  batch = dict(user=jnp.array([0, 3]), inputs=jnp.array([[0, 0, 0, 4, 7, 9, 2, 11]] * 2),
               positive=jnp.array([[0, 0, 0, 7, 9, 2, 11, 5]] * 2) if name == "sasrec" else jnp.array([1, 2]))
  forward = lambda m, b: m.score(m.encode(b, train=False), b["positive"][..., None])
  params = model.init({"params": jax.random.key(0), "dropout": jax.random.key(1)}, batch, method=forward)["params"]
  return model, params, batch


@pytest.mark.parametrize("pre_norm", [True, False])
def test_sasrec_is_causal(pre_norm):
  model, params, batch = build("sasrec", pre_norm=pre_norm)
  h = model.apply({"params": params}, batch, train=False, method="encode")
  changed = dict(batch, inputs=batch["inputs"].at[:, 5:].set(jnp.array([20, 21, 22])))
  h2 = model.apply({"params": params}, changed, train=False, method="encode")
  np.testing.assert_allclose(h[:, :5], h2[:, :5], rtol=1e-5, atol=1e-6)
  assert not np.allclose(h[:, 5:], h2[:, 5:])  # and later positions do see them


def test_sasrec_padding_does_not_leak():
  model, params, batch = build("sasrec")
  h = model.apply({"params": params}, batch, train=False, method="encode")
  # the padding row of the item table must not reach any real position
  table = params["item_embedding"]["embedding"]
  noisy = jax.tree.map(lambda x: x, params)
  noisy["item_embedding"]["embedding"] = table.at[0].set(100.0 * jax.random.normal(jax.random.key(2), table[0].shape))
  h2 = model.apply({"params": noisy}, batch, train=False, method="encode")
  np.testing.assert_allclose(h[:, 3:], h2[:, 3:], rtol=1e-5, atol=1e-6)
  assert h.shape == (2, 8, 16)


@pytest.mark.parametrize("name", ["sasrec", "neumf"])
def test_shared_and_per_query_items_agree(name):
  model, params, batch = build(name)
  q = model.apply({"params": params}, batch, method="encode_users")
  items = jnp.array([3, 1, 29, 7])
  shared = model.apply({"params": params}, q, items, method="score")
  per_query = model.apply({"params": params}, q, jnp.tile(items, (2, 1)), method="score")
  assert shared.shape == (2, 4)
  np.testing.assert_allclose(shared, per_query, rtol=1e-5, atol=1e-6)


def test_neumf_matches_concatenated_mlp():
  """The split first layer equals NeuMF's MLP on concat(user, item)."""
  model, params, batch = build("neumf")
  q = model.apply({"params": params}, batch, method="encode_users")
  got = model.apply({"params": params}, q, jnp.array([4]), method="score")[:, 0]
  p = jax.tree.map(np.asarray, params)
  gmf_u, mlp_u = np.split(np.asarray(q), 2, axis=-1)
  gi, mi = p["item_gmf"]["embedding"][4], p["item_mlp"]["embedding"][4]
  w1 = np.concatenate([p["first_user"]["kernel"], p["first_item"]["kernel"]], 0)
  h = np.maximum(np.concatenate([mlp_u, np.tile(mi, (2, 1))], 1) @ w1 + p["first_user"]["bias"], 0)
  h = np.maximum(h @ p["hidden_0"]["kernel"] + p["hidden_0"]["bias"], 0)
  want = (gmf_u * gi) @ p["out_gmf"]["kernel"][:, 0] + h @ p["out_mlp"]["kernel"][:, 0] + p["out_mlp"]["bias"][0]
  np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_unknown_model():
  with pytest.raises(ValueError, match="unknown model 'gru4rec'"):
    models.create(ml_collections.ConfigDict({"model": {"name": "gru4rec"}}), num_users=1, num_items=1)
