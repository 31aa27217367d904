"""Writes tiny random GGUF files (byte-level BPE vocabulary, 2 layers) for plumbing
tests, laid out as llama.cpp's converter lays out real ones."""
import gguf
import numpy as np
from tokenizers import pre_tokenizers

DIM, HEADS, KV_HEADS, FFN, LAYERS = 32, 4, 2, 64, 2
HEAD_DIM = DIM // HEADS
MERGES = [("Ġ", "t"), ("h", "e"), ("Ġt", "he"), ("A", "B"), ("Ġ", "A"), ("Ġ", "B")]


def permute(w, n_heads):
  """llama.cpp's converter: rotate-half rows -> interleaved rows (Llama files)."""
  rows, cols = w.shape
  return w.reshape(n_heads, 2, rows // n_heads // 2, cols).swapaxes(1, 2).reshape(rows, cols)


def write(path, *, arch="llama", quant=None, skip_tensor=None, bad_type_tensor=None, seed=0):
  """-> the 'true' (unpermuted, unquantized) weights by GGUF tensor name."""
  rng = np.random.default_rng(seed)
  alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
  tokens = ["<s>", "</s>", "<|im_start|>"] + alphabet + ["".join(m) for m in MERGES]
  types = [3, 3, 3] + [1] * (len(tokens) - 3)
  w = gguf.GGUFWriter(str(path), arch)
  w.add_block_count(LAYERS)
  w.add_context_length(256)
  w.add_embedding_length(DIM)
  w.add_feed_forward_length(FFN)
  w.add_head_count(HEADS)
  w.add_head_count_kv(KV_HEADS)
  w.add_rope_freq_base(10000.0)
  w.add_layer_norm_rms_eps(1e-5)
  w.add_tokenizer_model("gpt2")
  w.add_tokenizer_pre("gpt2")
  w.add_token_list(tokens)
  w.add_token_types(types)
  w.add_token_merges([" ".join(m) for m in MERGES])
  w.add_bos_token_id(0)
  w.add_eos_token_id(1)
  w.add_add_bos_token(True)
  truth = {}

  def tensor(name, shape, permute_heads=0):
    if name == skip_tensor:
      return
    x = (rng.standard_normal(shape) * 0.2).astype(np.float32)
    truth[name] = x
    stored = permute(x, permute_heads) if permute_heads else x
    if name == bad_type_tensor:
      # Q8_1 is a real ggml type (an activation format) that no weight file here uses
      w.add_tensor(name, np.zeros((shape[0], 40 * shape[1] // 32), np.uint8),
                   raw_dtype=gguf.GGMLQuantizationType.Q8_1)
    elif quant is not None and len(shape) == 2:
      q = gguf.quants.quantize(stored, quant)
      truth[name] = gguf.quants.dequantize(q, quant) if not permute_heads else None
      w.add_tensor(name, q, raw_dtype=quant)
    else:
      w.add_tensor(name, stored)

  tensor("token_embd.weight", (len(tokens), DIM))
  tensor("output_norm.weight", (DIM,))
  for i in range(LAYERS):
    b = f"blk.{i}"
    tensor(f"{b}.attn_norm.weight", (DIM,))
    tensor(f"{b}.ffn_norm.weight", (DIM,))
    tensor(f"{b}.attn_q.weight", (HEADS * HEAD_DIM, DIM), HEADS if arch == "llama" else 0)
    tensor(f"{b}.attn_k.weight", (KV_HEADS * HEAD_DIM, DIM), KV_HEADS if arch == "llama" else 0)
    tensor(f"{b}.attn_v.weight", (KV_HEADS * HEAD_DIM, DIM))
    tensor(f"{b}.attn_output.weight", (DIM, HEADS * HEAD_DIM))
    tensor(f"{b}.ffn_gate.weight", (FFN, DIM))
    tensor(f"{b}.ffn_up.weight", (FFN, DIM))
    tensor(f"{b}.ffn_down.weight", (DIM, FFN))
  w.write_header_to_file()
  w.write_kv_data_to_file()
  w.write_tensors_to_file()
  w.close()
  return truth
