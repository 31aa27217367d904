"""The decoder and the prompt machinery on tiny random models: causality, the
sliding window, padding and buckets, request alignment, and the both-orders margin."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from recjax.labeler import decoder, labelers, llm, prompts
from recjax.labeler.gguf_file import DecoderConfig
from tests.labeler import tiny_gguf


@pytest.fixture(scope="module")
def tiny_llm(tmp_path_factory):
  path = tmp_path_factory.mktemp("gguf") / "tiny.gguf"
  tiny_gguf.write(path)
  return llm.LLM(str(path), batch_size=4, buckets=(128, 256, 512))


def gemma_like(**kw):
  base = dict(arch="gemma3", vocab_size=50, dim=16, layers=1, heads=2, kv_heads=1, head_dim=8, ffn_dim=32,
              norm_eps=1e-6, rope_base=1e6, sliding_window=3, global_every=6, qk_norm=True, post_norms=True,
              embed_scale=True, activation="gelu")
  return DecoderConfig(**{**base, **kw})


def hidden(config, tokens):
  model = decoder.Decoder(config)
  params = model.init(jax.random.key(0), tokens)["params"]
  return lambda t: model.apply({"params": params}, t)


def test_decoder_is_causal():
  tokens = jnp.array([[5, 9, 3, 7, 1, 2]])
  run = hidden(gemma_like(sliding_window=0), tokens)
  changed = tokens.at[0, 4:].set(jnp.array([11, 12]))
  np.testing.assert_allclose(run(tokens)[:, :4], run(changed)[:, :4], rtol=1e-5, atol=1e-6)


def test_sliding_window_layers_see_only_the_window():
  tokens = jnp.array([[5, 9, 3, 7, 1, 2]])
  changed = tokens.at[0, 0].set(40)
  local = hidden(gemma_like(), tokens)  # one layer, local (layer 0 of every 6), window 3
  np.testing.assert_allclose(local(tokens)[:, 3:], local(changed)[:, 3:], rtol=1e-5, atol=1e-6)
  full = hidden(gemma_like(global_every=1), tokens)  # the same layer made global
  assert not np.allclose(full(tokens)[:, 3:], full(changed)[:, 3:])


def test_tokenizer_specials_and_merges(tiny_llm):
  tok = tiny_llm.tokenizer
  ids = tok.encode("<|im_start|> the AB")
  assert ids[:2] == [0, 2]  # BOS per the file, then the control token whole
  assert [tok.tokens[i] for i in ids[2:]] == ["Ġthe", "Ġ", "AB"]
  assert tok.decode(ids[2:]) == " the AB"


def test_padding_and_buckets_do_not_change_logprobs(tiny_llm):
  build = tiny_llm.prompts
  short = build.continuation(["ab"], "the cat")
  long = build.continuation(["x" * 50, "y" * 40], "the dog")
  alone = tiny_llm.logprobs([short])[0]
  mixed = tiny_llm.logprobs([long, short, short, long, short])
  assert len(long.ids) > 128 >= len(short.ids)  # the two land in different buckets
  np.testing.assert_allclose(mixed[1], alone, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(mixed[4], alone, rtol=1e-5, atol=1e-6)


def test_requests_score_the_right_tokens(tiny_llm):
  build = tiny_llm.prompts
  r = build.continuation(["first title", "second"], "the end")
  assert all(r.ids[p + 1] == t for p, t in zip(r.positions, r.targets))
  assert tiny_llm.tokenizer.decode(r.targets) == " the end"
  q = build.ab(["h1"], "alpha", "beta")
  assert q.positions == (len(q.ids) - 1,) * 2 and q.targets == build.answer_ids
  assert tiny_llm.tokenizer.decode(q.ids).endswith("Answer:")  # no chat template in this file


def test_long_histories_drop_oldest_titles(tiny_llm):
  build = tiny_llm.prompts
  long = [f"title number {i} " * 3 for i in range(40)]
  r = build.ab(long, "a", "b")
  assert len(r.ids) <= build.max_tokens
  assert "title number 39" in tiny_llm.tokenizer.decode(r.ids)
  assert "title number 0 " not in tiny_llm.tokenizer.decode(r.ids)


class PositionBiased:
  """A fake LLM that always prefers whatever is shown as A, by `bias` nats."""

  def __init__(self, bias, prefer=None):
    self.bias, self.prefer = bias, prefer
    self.prompts = self

  def ab(self, history, a, b):
    return (a, b)

  def logprobs(self, requests, progress=None):
    return [np.array([self.bias + (1.0 if a == self.prefer else 0.0),
                      (1.0 if b == self.prefer else 0.0)]) for a, b in requests]


def test_both_orders_cancel_position_preference():
  titles = np.array(["", "x", "y"])
  m = labelers.LLMLabeler(PositionBiased(3.0), titles, "ab").margins([[1]], np.array([1]), np.array([2]))
  assert m["margin_a"][0] == 3.0 and m["margin_b"][0] == 3.0 and m["margin"][0] == 0.0
  m = labelers.LLMLabeler(PositionBiased(3.0, prefer="y"), titles, "ab").margins([[1]], np.array([1]), np.array([2]))
  assert m["margin"][0] == pytest.approx(-1.0)  # y (item b) preferred, position bias gone
