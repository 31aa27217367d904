"""One Flax decoder-only transformer for Llama, Qwen2 and Gemma 3 weights.

RMSNorm, rotary embeddings (rotate-half), grouped-query attention, gated MLP; Qwen2's
QKV bias; Gemma's embedding scale, query/key norms, post-norms and sliding-window
layers with their own rotary base. Prompts are right-padded, so the causal mask alone
keeps padding out of every real position.
"""
import flax.linen as nn
import jax
import jax.numpy as jnp


class RMSNorm(nn.Module):
  eps: float

  @nn.compact
  def __call__(self, x):
    scale = self.param("scale", nn.initializers.ones, (x.shape[-1],))
    x32 = x.astype(jnp.float32)
    y = x32 * jax.lax.rsqrt(jnp.mean(x32 * x32, axis=-1, keepdims=True) + self.eps)
    return (y * scale.astype(jnp.float32).reshape((1,) * (x.ndim - 1) + (-1,))).astype(x.dtype)


def rotary(x_BxTxNxH, positions_BxT, base):
  half = x_BxTxNxH.shape[-1] // 2
  freq = base ** (-jnp.arange(half, dtype=jnp.float32) / half)
  angle_BxTx1xH = positions_BxT.astype(jnp.float32)[:, :, None, None] * freq[None, None, None, :]
  cos, sin = jnp.cos(angle_BxTx1xH), jnp.sin(angle_BxTx1xH)
  x1, x2 = x_BxTxNxH[..., :half].astype(jnp.float32), x_BxTxNxH[..., half:].astype(jnp.float32)
  return jnp.concatenate([x1 * cos - x2 * sin, x2 * cos + x1 * sin], axis=-1).astype(x_BxTxNxH.dtype)


class Layer(nn.Module):
  config: object
  index: int

  @nn.compact
  def __call__(self, x_BxTxD, positions_BxT):
    c = self.config
    dense = lambda name, features, bias=False: nn.Dense(features, use_bias=bias, name=name, dtype=x_BxTxD.dtype)
    norm = lambda name: RMSNorm(c.norm_eps, name=name)
    batch, length, _ = x_BxTxD.shape
    is_global = c.is_global(self.index)

    h = norm("attn_norm")(x_BxTxD)
    q = dense("q", c.heads * c.head_dim, c.qkv_bias)(h).reshape(batch, length, c.heads, c.head_dim)
    k = dense("k", c.kv_heads * c.head_dim, c.qkv_bias)(h).reshape(batch, length, c.kv_heads, c.head_dim)
    v = dense("v", c.kv_heads * c.head_dim, c.qkv_bias)(h).reshape(batch, length, c.kv_heads, c.head_dim)
    if c.qk_norm:
      q, k = norm("q_norm")(q), norm("k_norm")(k)
    base = c.rope_base if is_global else c.rope_base_local
    q, k = rotary(q, positions_BxT, base), rotary(k, positions_BxT, base)
    group = c.heads // c.kv_heads
    q = q.reshape(batch, length, c.kv_heads, group, c.head_dim)
    logits = jnp.einsum("btkgh,bskh->bkgts", q, k, preferred_element_type=jnp.float32) * c.head_dim ** -0.5
    allowed_TxS = jnp.tril(jnp.ones((length, length), dtype=bool))
    if not is_global:
      distance = jnp.arange(length)[:, None] - jnp.arange(length)[None, :]
      allowed_TxS &= distance < c.sliding_window
    logits = jnp.where(allowed_TxS[None, None, None], logits, -1e30)
    probs = jax.nn.softmax(logits, axis=-1).astype(v.dtype)
    out = jnp.einsum("bkgts,bskh->btkgh", probs, v).reshape(batch, length, c.heads * c.head_dim)
    out = dense("o", c.dim)(out)
    if c.post_norms:
      out = norm("post_attn_norm")(out)
    x_BxTxD = x_BxTxD + out

    h = norm("ffn_norm")(x_BxTxD)
    act = nn.silu if c.activation == "silu" else (lambda z: nn.gelu(z, approximate=True))
    h = dense("down", c.dim)(act(dense("gate", c.ffn_dim)(h)) * dense("up", c.ffn_dim)(h))
    if c.post_norms:
      h = norm("post_ffn_norm")(h)
    return x_BxTxD + h


class Decoder(nn.Module):
  """tokens int[B,T] -> final hidden states [B,T,D]; `logits` maps them to the vocabulary."""
  config: object
  dtype: jnp.dtype = jnp.float32

  def setup(self):
    c = self.config
    self.embed = nn.Embed(c.vocab_size, c.dim, dtype=self.dtype, name="embed")
    self.layers = [Layer(c, i, name=f"layer_{i}") for i in range(c.layers)]
    self.final_norm = RMSNorm(c.norm_eps, name="final_norm")
    if not c.tied:
      self.lm_head = nn.Dense(c.vocab_size, use_bias=False, dtype=self.dtype, name="lm_head")

  def __call__(self, tokens_BxT):
    c = self.config
    x = self.embed(tokens_BxT)
    if c.embed_scale:
      x = x * jnp.asarray(c.dim ** 0.5, dtype=self.dtype)
    positions_BxT = jnp.broadcast_to(jnp.arange(tokens_BxT.shape[1]), tokens_BxT.shape)
    for layer in self.layers:
      x = layer(x, positions_BxT)
    return self.final_norm(x)

  def logits(self, h_xD):
    """float32 logits over the vocabulary for hidden states of any leading shape."""
    if self.config.tied:
      return jnp.einsum("...d,vd->...v", h_xD, self.embed.embedding.astype(h_xD.dtype),
                        preferred_element_type=jnp.float32)
    return self.lm_head(h_xD).astype(jnp.float32)
