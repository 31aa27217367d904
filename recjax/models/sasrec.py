"""SASRec (Kang & McAuley 2018): causal self-attention over the item history.

Item and learned position embeddings, pre- or post-LayerNorm blocks, dropout, and
scores through the shared item embedding. Padding (item 0) is on the left.
"""
import flax.linen as nn
import jax.numpy as jnp


def score_by_dot(q, table, items):
  """q_...xD against table rows `items` (int[K] shared, or int[..., K] per query)."""
  if items.ndim == 1:
    return jnp.einsum("...d,kd->...k", q, table[items])
  return jnp.einsum("...d,...kd->...k", q, table[items])


class Block(nn.Module):
  dim: int
  heads: int
  dropout: float
  pre_norm: bool

  @nn.compact
  def __call__(self, x_BxLxD, mask_Bx1xLxL, *, train):
    attn = nn.MultiHeadDotProductAttention(
        num_heads=self.heads, qkv_features=self.dim, dropout_rate=self.dropout,
        deterministic=not train, name="attention")
    ffn = nn.Sequential([nn.Dense(self.dim, name="ffn_in"), nn.relu,
                         nn.Dropout(self.dropout, deterministic=not train), nn.Dense(self.dim, name="ffn_out")])
    drop = nn.Dropout(self.dropout, deterministic=not train)
    norm1, norm2 = nn.LayerNorm(name="norm_attention"), nn.LayerNorm(name="norm_ffn")
    if self.pre_norm:
      h = norm1(x_BxLxD)
      x_BxLxD = x_BxLxD + drop(attn(h, h, mask=mask_Bx1xLxL))
      return x_BxLxD + drop(ffn(norm2(x_BxLxD)))
    x_BxLxD = norm1(x_BxLxD + drop(attn(x_BxLxD, x_BxLxD, mask=mask_Bx1xLxL)))
    return norm2(x_BxLxD + drop(ffn(x_BxLxD)))


class Model(nn.Module):
  num_users: int
  num_items: int
  seq_len: int = 50
  dim: int = 64
  blocks: int = 2
  heads: int = 1
  dropout: float = 0.2
  pre_norm: bool = True

  def setup(self):
    self.item_embedding = nn.Embed(self.num_items + 1, self.dim, name="item_embedding",
                                   embedding_init=nn.initializers.normal(stddev=self.dim ** -0.5))
    self.position_embedding = nn.Embed(self.seq_len, self.dim, name="position_embedding",
                                       embedding_init=nn.initializers.normal(stddev=self.dim ** -0.5))
    self.layers = [Block(self.dim, self.heads, self.dropout, self.pre_norm, name=f"block_{i}")
                   for i in range(self.blocks)]
    self.final_norm = nn.LayerNorm(name="final_norm")
    self.dropout_layer = nn.Dropout(self.dropout)

  def sequence(self, inputs_BxL, *, train):
    """h_BxLxD: the representation after each prefix of the (left-padded) inputs.

    Positions are right-aligned: a window shorter than seq_len takes the last
    position embeddings, so trimming pure padding off the left changes nothing.
    """
    _, length = inputs_BxL.shape
    valid_BxL = inputs_BxL > 0
    x = self.item_embedding(inputs_BxL) * jnp.sqrt(self.dim).astype(jnp.float32)
    x = x + self.position_embedding(self.seq_len - length + jnp.arange(length))[None]
    x = self.dropout_layer(x, deterministic=not train) * valid_BxL[..., None]
    causal_LxL = jnp.tril(jnp.ones((length, length), dtype=bool))
    # A padded query sees only itself, so no softmax row is empty (its output is zeroed).
    mask = (causal_LxL[None] & valid_BxL[:, None, :]) | jnp.eye(length, dtype=bool)[None]
    for layer in self.layers:
      x = layer(x, mask[:, None], train=train) * valid_BxL[..., None]
    return self.final_norm(x) if self.pre_norm else x

  def encode(self, batch, *, train):
    return self.sequence(batch["inputs"], train=train)

  def encode_users(self, batch):
    return self.sequence(batch["inputs"], train=False)[:, -1]

  def score(self, q, items):
    return score_by_dot(q, self.item_embedding.embedding, items)
