"""NeuMF (He et al. 2017): a GMF tower and an MLP tower with their own embeddings,
fused by one final linear layer.

The first MLP layer on concat(user, item) is split into a user part and an item
part, so scoring against K items costs one [K, H] product, not B*K of them.
"""
import flax.linen as nn
import jax.numpy as jnp


class Model(nn.Module):
  num_users: int
  num_items: int
  dim: int = 64                  # GMF embedding size; the MLP embeddings too
  mlp_layers: tuple = (128, 64, 32)

  def setup(self):
    init = nn.initializers.normal(stddev=0.01)
    self.user_gmf = nn.Embed(self.num_users, self.dim, embedding_init=init)
    self.user_mlp = nn.Embed(self.num_users, self.dim, embedding_init=init)
    self.item_gmf = nn.Embed(self.num_items + 1, self.dim, embedding_init=init)
    self.item_mlp = nn.Embed(self.num_items + 1, self.dim, embedding_init=init)
    self.first_user = nn.Dense(self.mlp_layers[0], use_bias=True)
    self.first_item = nn.Dense(self.mlp_layers[0], use_bias=False)
    self.hidden = [nn.Dense(h) for h in self.mlp_layers[1:]]
    self.out_gmf = nn.Dense(1, use_bias=False)
    self.out_mlp = nn.Dense(1, use_bias=True)

  def encode_users(self, batch):
    users = batch["user"]
    return jnp.concatenate([self.user_gmf(users), self.user_mlp(users)], axis=-1)

  def encode(self, batch, *, train):
    del train  # no dropout in NeuMF
    return self.encode_users(batch)

  def score(self, q, items):
    gmf_u, mlp_u = jnp.split(q, 2, axis=-1)
    gmf_i, mlp_i = self.item_gmf(items), self.item_mlp(items)
    h_i = self.first_item(mlp_i)
    if items.ndim == 1:  # shared candidates: lift them to the queries' rank
      lead = (1,) * (q.ndim - 1)
      gmf_i, h_i = gmf_i.reshape(lead + gmf_i.shape), h_i.reshape(lead + h_i.shape)
    h = nn.relu(self.first_user(mlp_u)[..., None, :] + h_i)
    for layer in self.hidden:
      h = nn.relu(layer(h))
    gmf = gmf_u[..., None, :] * gmf_i
    return (self.out_gmf(gmf) + self.out_mlp(h))[..., 0]
