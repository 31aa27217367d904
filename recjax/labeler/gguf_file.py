"""GGUF files -> (DecoderConfig, parameter pytree, vocabulary), with the gguf package.

Tensors are dequantized to float arrays laid out as recjax.labeler.decoder expects.
llama.cpp's converter reorders the query/key rows of Llama-architecture models (to
its interleaved rotary layout); that is undone here, so one rotary convention
(rotate-half) serves every family.
"""
import dataclasses
import os

import numpy as np

ARCHITECTURES = ("llama", "qwen2", "gemma3")
# The quantization types the four supported files use, plus their plain relatives.
SUPPORTED = ("F32", "F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q4_K", "Q5_K", "Q6_K")


class GGUFError(ValueError):
  """A GGUF file that cannot be used: names the file and what is missing or wrong."""


@dataclasses.dataclass(frozen=True)
class DecoderConfig:
  arch: str
  vocab_size: int
  dim: int
  layers: int
  heads: int
  kv_heads: int
  head_dim: int
  ffn_dim: int
  norm_eps: float
  rope_base: float
  rope_base_local: float = 10_000.0   # gemma3's sliding-window layers
  sliding_window: int = 0             # 0: every layer global
  global_every: int = 0               # gemma3: layer i is global when (i + 1) % 6 == 0
  qkv_bias: bool = False              # qwen2
  qk_norm: bool = False               # gemma3
  post_norms: bool = False            # gemma3: norms after attention and MLP too
  embed_scale: bool = False           # gemma: embeddings times sqrt(dim)
  activation: str = "silu"            # gemma: gelu (tanh)
  tied: bool = True                   # output projection = input embedding

  def is_global(self, layer):
    return not self.sliding_window or (self.global_every and (layer + 1) % self.global_every == 0)


def open_reader(path):
  import gguf
  if not os.path.isfile(path):
    raise GGUFError(f"{path}: no such file (fetch it with ../shared/models/fetch_models.py)")
  try:
    return gguf.GGUFReader(path)
  except Exception as e:  # the reader raises many kinds on a truncated or foreign file
    raise GGUFError(f"{path}: not a readable GGUF file ({type(e).__name__}: {e})") from None


def _field(reader, path, key, default=None):
  field = reader.fields.get(key)
  if field is None:
    if default is not None:
      return default
    raise GGUFError(f"{path}: missing metadata key {key!r}")
  return field.contents()


def read_config(reader, path):
  arch = _field(reader, path, "general.architecture")
  if arch not in ARCHITECTURES:
    raise GGUFError(f"{path}: unsupported architecture {arch!r}; supported: {', '.join(ARCHITECTURES)}")
  get = lambda key, default=None: _field(reader, path, f"{arch}.{key}", default)
  heads = int(get("attention.head_count"))
  dim = int(get("embedding_length"))
  names = {t.name for t in reader.tensors}
  vocab = len(reader.fields["tokenizer.ggml.tokens"].data) if "tokenizer.ggml.tokens" in reader.fields else None
  if vocab is None:
    raise GGUFError(f"{path}: missing metadata key 'tokenizer.ggml.tokens' (the vocabulary)")
  config = dict(
      arch=arch, vocab_size=vocab, dim=dim, layers=int(get("block_count")), heads=heads,
      kv_heads=int(get("attention.head_count_kv", heads)),
      head_dim=int(get("attention.key_length", dim // heads)), ffn_dim=int(get("feed_forward_length")),
      norm_eps=float(get("attention.layer_norm_rms_epsilon")), rope_base=float(get("rope.freq_base", 10_000.0)),
      tied="output.weight" not in names)
  if arch == "qwen2":
    config.update(qkv_bias=True)
  if arch == "gemma3":
    config.update(sliding_window=int(get("attention.sliding_window")), global_every=6, qk_norm=True,
                  post_norms=True, embed_scale=True, activation="gelu")
  return DecoderConfig(**config)


def _dequantize(tensor, path):
  import gguf
  kind = tensor.tensor_type.name
  if kind not in SUPPORTED:
    raise GGUFError(f"{path}: tensor {tensor.name} uses quantization type {kind}, "
                    f"not supported (supported: {', '.join(SUPPORTED)})")
  return np.asarray(gguf.quants.dequantize(tensor.data, tensor.tensor_type), dtype=np.float32)


def _unpermute(w, n_heads):
  """Undo llama.cpp's interleaving of query/key rows (Llama-architecture files)."""
  rows, cols = w.shape
  return w.reshape(n_heads, rows // n_heads // 2, 2, cols).swapaxes(1, 2).reshape(rows, cols)


def load_params(reader, config, path, dtype=np.float32):
  """-> the decoder's parameter pytree (Dense kernels as [in, out])."""
  tensors = {t.name: t for t in reader.tensors}

  def get(name, required=True):
    if name not in tensors:
      if required:
        raise GGUFError(f"{path}: missing tensor {name!r} for architecture {config.arch}")
      return None
    return _dequantize(tensors[name], path)

  def dense(name, unpermute_heads=0, bias=False):
    w = get(f"{name}.weight")
    if unpermute_heads:
      w = _unpermute(w, unpermute_heads)
    out = {"kernel": w.T.astype(dtype)}
    if bias:
      out["bias"] = get(f"{name}.bias").astype(dtype)
    return out

  norm = lambda name: {"scale": get(f"{name}.weight").astype(dtype)}
  llama = config.arch == "llama"
  params = {"embed": {"embedding": get("token_embd.weight").astype(dtype)}, "final_norm": norm("output_norm")}
  if params["embed"]["embedding"].shape != (config.vocab_size, config.dim):
    raise GGUFError(f"{path}: token_embd.weight has shape {params['embed']['embedding'].shape}, "
                    f"expected ({config.vocab_size}, {config.dim})")
  if not config.tied:
    params["lm_head"] = dense("output")
  for i in range(config.layers):
    b = f"blk.{i}"
    layer = {
        "attn_norm": norm(f"{b}.attn_norm"), "ffn_norm": norm(f"{b}.ffn_norm"),
        "q": dense(f"{b}.attn_q", config.heads if llama else 0, config.qkv_bias),
        "k": dense(f"{b}.attn_k", config.kv_heads if llama else 0, config.qkv_bias),
        "v": dense(f"{b}.attn_v", 0, config.qkv_bias), "o": dense(f"{b}.attn_output"),
        "gate": dense(f"{b}.ffn_gate"), "up": dense(f"{b}.ffn_up"), "down": dense(f"{b}.ffn_down"),
    }
    if config.qk_norm:
      layer.update(q_norm=norm(f"{b}.attn_q_norm"), k_norm=norm(f"{b}.attn_k_norm"))
    if config.post_norms:
      layer.update(post_attn_norm=norm(f"{b}.post_attention_norm"), post_ffn_norm=norm(f"{b}.post_ffw_norm"))
    params[f"layer_{i}"] = layer
  return params


def vocabulary(reader, path):
  """The tokenizer's view of the file: tokens, types, scores, merges and flags."""
  f = reader.fields
  if "tokenizer.ggml.model" not in f:
    raise GGUFError(f"{path}: missing metadata key 'tokenizer.ggml.model'")
  strings = lambda key: [bytes(f[key].parts[i]).decode("utf-8", errors="replace") for i in f[key].data]
  array = lambda key: np.array([f[key].parts[i][0] for i in f[key].data]) if key in f else None
  get = lambda key, default=None: f[key].contents() if key in f else default
  return dict(
      model=get("tokenizer.ggml.model"), pre=get("tokenizer.ggml.pre", "default"),
      tokens=strings("tokenizer.ggml.tokens"), types=array("tokenizer.ggml.token_type"),
      scores=array("tokenizer.ggml.scores"),
      merges=strings("tokenizer.ggml.merges") if "tokenizer.ggml.merges" in f else [],
      bos=get("tokenizer.ggml.bos_token_id"), eos=get("tokenizer.ggml.eos_token_id"),
      add_bos=bool(get("tokenizer.ggml.add_bos_token", False)),
      add_space_prefix=bool(get("tokenizer.ggml.add_space_prefix", False)),
      chat_template=get("tokenizer.chat_template", ""))


def load(path, dtype=np.float32):
  """-> (DecoderConfig, params, vocabulary) of one GGUF file."""
  reader = open_reader(path)
  config = read_config(reader, path)
  return config, load_params(reader, config, path, dtype), vocabulary(reader, path)
