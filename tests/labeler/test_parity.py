"""Parity with llama.cpp on the real GGUF files: identical token ids, last-token
logits correlated at 0.999 or more, the same top-5 tokens.

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
from tools.llama_reference import PROMPTS

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
  from tools.llama_reference import titles as beauty_titles
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
    assert corr >= 0.999, (name, n, corr)
    assert set(np.argsort(-logits)[:5]) == set(ref[f"prompt_{n}_top_ids"][:5]), (name, n)
