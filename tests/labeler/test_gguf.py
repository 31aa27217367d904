"""GGUF reading on tiny files written here: layout, llama.cpp's row order undone,
quantized types, and the errors for broken files."""
import gguf
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from recjax.labeler import decoder, gguf_file
from recjax.labeler.gguf_file import GGUFError
from tests.labeler import tiny_gguf


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
  path = tmp_path_factory.mktemp("gguf") / "tiny.gguf"
  truth = tiny_gguf.write(path)
  return path, truth


def test_params_fit_the_decoder(tiny):
  path, _ = tiny
  config, params, vocab = gguf_file.load(str(path))
  assert (config.dim, config.layers, config.heads, config.kv_heads, config.head_dim) == (32, 2, 4, 2, 8)
  assert config.tied and vocab["model"] == "gpt2"
  model = decoder.Decoder(config)
  shapes = jax.eval_shape(lambda: model.init(jax.random.key(0), jnp.zeros((1, 4), jnp.int32))["params"])
  assert jax.tree.structure(shapes) == jax.tree.structure(params)
  jax.tree.map(lambda s, p: np.testing.assert_equal(s.shape, p.shape), shapes, params)


def test_llama_row_order_is_undone(tiny):
  path, truth = tiny
  _, params, _ = gguf_file.load(str(path))
  np.testing.assert_array_equal(params["layer_1"]["q"]["kernel"].T, truth["blk.1.attn_q.weight"])
  np.testing.assert_array_equal(params["layer_0"]["k"]["kernel"].T, truth["blk.0.attn_k.weight"])
  np.testing.assert_array_equal(params["layer_0"]["v"]["kernel"].T, truth["blk.0.attn_v.weight"])


@pytest.mark.parametrize("quant", ["Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1"])
def test_quantized_types_dequantize(tmp_path, quant):
  truth = tiny_gguf.write(tmp_path / "q.gguf", arch="qwen2", quant=getattr(gguf.GGMLQuantizationType, quant))
  # qwen2 files have no row reordering; biases are absent here, so drop the bias flag
  reader = gguf_file.open_reader(str(tmp_path / "q.gguf"))
  t = {x.name: x for x in reader.tensors}["blk.0.ffn_up.weight"]
  assert t.tensor_type.name == quant
  np.testing.assert_allclose(gguf_file._dequantize(t, "q.gguf"), truth["blk.0.ffn_up.weight"], atol=1e-6)


def test_truncated_file(tiny, tmp_path):
  path, _ = tiny
  cut = tmp_path / "cut.gguf"
  cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
  with pytest.raises(GGUFError, match=r"cut.gguf: not a readable GGUF file"):
    gguf_file.load(str(cut))


def test_not_gguf_and_missing(tmp_path):
  (tmp_path / "x.gguf").write_bytes(b"GGML" + b"\0" * 100)
  with pytest.raises(GGUFError, match=r"x.gguf: not a readable GGUF file"):
    gguf_file.load(str(tmp_path / "x.gguf"))
  with pytest.raises(GGUFError, match=r"nope.gguf: no such file"):
    gguf_file.load(str(tmp_path / "nope.gguf"))


def test_unknown_architecture(tmp_path):
  tiny_gguf.write(tmp_path / "m.gguf", arch="mamba")
  with pytest.raises(GGUFError, match=r"m.gguf: unsupported architecture 'mamba'; supported: llama, qwen2, gemma3"):
    gguf_file.load(str(tmp_path / "m.gguf"))


def test_unsupported_quantization(tmp_path):
  tiny_gguf.write(tmp_path / "iq.gguf", bad_type_tensor="blk.1.ffn_gate.weight")
  with pytest.raises(GGUFError, match=r"iq.gguf: tensor blk.1.ffn_gate.weight uses quantization type Q8_1"):
    gguf_file.load(str(tmp_path / "iq.gguf"))


def test_missing_tensor(tmp_path):
  tiny_gguf.write(tmp_path / "hole.gguf", skip_tensor="blk.1.ffn_down.weight")
  with pytest.raises(GGUFError, match=r"hole.gguf: missing tensor 'blk.1.ffn_down.weight' for architecture llama"):
    gguf_file.load(str(tmp_path / "hole.gguf"))
