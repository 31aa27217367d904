"""Parity with llama.cpp on the real GGUF files: identical token ids, last-token
logits correlated at 0.999 or more, the same top-5 tokens; and, against a float32
reference (HF transformers on the same file, tools/hf_reference.py), logits equal to
within float rounding.

llama.cpp multiplies quantized weights by activations it quantizes too, so its logits
carry noise of a few tenths against a float32 forward pass of the same weights. Where
its own 5th and 6th logits are closer than TIE (0.1), which of them is "top-5" is that
noise; such tokens may swap, and no other. One prompt (Gemma 3, the emoji and accents
line, logits of small scale) correlates at 0.998 with llama.cpp while recjax and the
float reference agree to 1e-4 there: that case is held to 0.997 against llama.cpp.

The fixtures come from tools/llama_reference.py (llama-cpp-python on the same files).
SmolLM2-135M runs in CI (.ci/run fetches it); the other models run where their file
is present (python3 ../shared/models/fetch_models.py --all).
"""
import os
import pathlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from recjax import parallel
from recjax.labeler import llm
from recjax.labeler.run import model_path
from tools.llama_reference import PROMPTS, titles as beauty_titles

TIE = 0.1
LLAMA_CPP_CORR = {("gemma3-270m", 3): 0.997}  # see the module docstring
FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "llama_cpp"
MODELS = ["smollm2-135m", "gemma3-270m", "qwen2.5-0.5b", "qwen2.5-1.5b"]


@pytest.fixture(scope="module", params=MODELS)
def pair(request):
  name = request.param
  path = model_path(name)
  if not os.path.exists(path):
    if name == "smollm2-135m" and os.environ.get("CI"):
      pytest.fail(f"{path} missing: .ci/run must fetch it")
    pytest.skip(f"{path} not present (python3 ../shared/models/fetch_models.py {name})")
  # one device: replicating a 1.5B model over 4 simulated CPU devices would take 4 copies
  model = llm.LLM(path, batch_size=1, dtype=jnp.float32, mesh=parallel.make_mesh(jax.devices()[:1]))
  return name, model, dict(np.load(FIXTURES / f"{name}.npz"))


def test_token_ids_match(pair):
  name, model, ref = pair
  for n, text in enumerate(PROMPTS):
    assert model.tokenizer.encode(text) == ref[f"prompt_{n}_ids"].tolist(), (name, n)
  ends = np.cumsum(ref["title_lengths"])
  titles = np.split(ref["title_ids"], ends[:-1])
  for text, ids in zip(beauty_titles(), titles):
    assert model.tokenizer.encode(text, add_bos=False) == ids.tolist(), (name, text)


def test_last_token_logits_match(pair):
  name, model, ref = pair
  for n in range(len(PROMPTS)):
    ids = ref[f"prompt_{n}_ids"]
    h = model.model.apply({"params": model.params}, jnp.asarray(ids)[None])
    logits = np.asarray(model.model.apply({"params": model.params}, h[0, -1], method="logits"))
    probe = ref["probe_ids"]
    corr = np.corrcoef(logits[probe], ref[f"prompt_{n}_probe_logits"])[0, 1]
    assert corr >= LLAMA_CPP_CORR.get((name, n), 0.999), (name, n, corr)
    theirs = dict(zip(ref[f"prompt_{n}_top_ids"].tolist(), ref[f"prompt_{n}_top_logits"].tolist()))
    top = ref[f"prompt_{n}_top_logits"]
    boundary = (top[4] + top[5]) / 2
    swapped = set(np.argsort(-logits)[:5].tolist()) ^ set(ref[f"prompt_{n}_top_ids"][:5].tolist())
    for token in swapped:  # only near-ties at llama.cpp's own 5th/6th boundary may swap
      assert token in theirs and abs(theirs[token] - boundary) < TIE, (name, n, token)


def test_logits_match_float_reference(pair):
  name, model, ref = pair
  path = FIXTURES.parent / "hf" / f"{name}.npz"
  if not path.exists():
    pytest.skip(f"no float reference fixture {path} (tools/hf_reference.py)")
  hf = dict(np.load(path))
  for n in range(len(PROMPTS)):
    ids = ref[f"prompt_{n}_ids"]
    h = model.model.apply({"params": model.params}, jnp.asarray(ids)[None])
    logits = np.asarray(model.model.apply({"params": model.params}, h[0, -1], method="logits"))
    np.testing.assert_allclose(logits[ref["probe_ids"]], hf[f"prompt_{n}_probe_logits"], atol=2e-3, rtol=1e-4,
                               err_msg=f"{name} prompt {n}")
