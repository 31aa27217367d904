"""Full-ranking metrics against a plain numpy implementation, and the evaluator's
padding: every eligible user counts exactly once whatever the batch size."""
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest

from recjax import evaluate, models, parallel
from tests.conftest import load_named


def numpy_metrics(scores, history, targets, candidates):
  """Per user: Recall@K then NDCG@K for K in KS, by sorting."""
  out = []
  for s, h, t in zip(scores, history, targets):
    s = np.where(candidates, s, -np.inf)
    s[h[h > 0]] = -np.inf
    s[0] = -np.inf
    ranking = np.argsort(-s, kind="stable")
    t = set(t[t > 0].tolist())
    row = []
    for k in evaluate.KS:
      row.append(len(t & set(ranking[:k].tolist())) / len(t))
    for k in evaluate.KS:
      dcg = sum(1 / np.log2(r + 2) for r, i in enumerate(ranking[:k]) if i in t)
      idcg = sum(1 / np.log2(r + 2) for r in range(min(k, len(t))))
      row.append(dcg / idcg)
    out.append(row)
  return np.array(out)


def test_metric_sums_match_numpy():
  rng = np.random.default_rng(0)
  B, I = 37, 120
  scores = rng.normal(size=(B, I + 1)).astype(np.float32)
  history = np.where(rng.random((B, 9)) < 0.7, rng.integers(1, I + 1, (B, 9)), 0).astype(np.int32)
  targets = np.zeros((B, 5), np.int32)
  for b in range(B):  # 1..5 distinct targets outside the history
    pool = np.setdiff1d(np.arange(1, I + 1), history[b])
    n = rng.integers(1, 6)
    targets[b, :n] = rng.choice(pool, n, replace=False)
    scores[b, targets[b, :n]] += 1.5  # make hits common enough to test ranks
  cand_all = np.ones(I + 1, bool)
  cand_half = np.zeros(I + 1, bool)
  cand_half[::2] = True
  cand_half[targets[targets > 0]] = True
  mask = (rng.random(B) < 0.8).astype(np.float32)
  got = evaluate.metric_sums(jnp.asarray(scores), jnp.asarray(history), jnp.asarray(targets),
                             jnp.asarray(np.stack([cand_all, cand_half])), jnp.asarray(mask))
  for c, cand in enumerate([cand_all, cand_half]):
    want = (numpy_metrics(scores, history, targets, cand) * mask[:, None]).sum(0)
    np.testing.assert_allclose(np.asarray(got[c]), want, rtol=1e-5, atol=1e-5)


@pytest.fixture(scope="module")
def sasrec_on_ml100k():
  _, split = load_named("ml100k")
  config = ml_collections.ConfigDict({"model": dict(name="sasrec", seq_len=20, dim=16, blocks=1)})
  model = models.create(config, num_users=split.num_users, num_items=split.num_items)
  batch = dict(inputs=jnp.zeros((2, 20), jnp.int32), positive=jnp.zeros((2, 20), jnp.int32))
  forward = lambda m, b: m.score(m.encode(b, train=False), b["positive"][..., None])
  params = model.init({"params": jax.random.key(0)}, batch, method=forward)["params"]
  return model, params, split


def test_evaluator_counts_every_user_once(sasrec_on_ml100k):
  model, params, split = sasrec_on_ml100k
  mesh = parallel.make_mesh()
  small = evaluate.Evaluator(model, split, seq_len=20, mesh=mesh, batch_size=100)  # 943 users: padded
  large = evaluate.Evaluator(model, split, seq_len=20, mesh=mesh, batch_size=1024)
  a, b = small.evaluate(params, "test"), large.evaluate(params, "test")
  assert a.keys() == b.keys()
  for k in a:
    assert a[k] == pytest.approx(b[k], rel=1e-5, abs=1e-7), k
  assert a["test/warm/users"] == len(split.warm_eval_users())
  assert a["test/cold/users"] == len(split.cold_eval_users("test"))


def test_evaluator_matches_numpy_on_real_split(sasrec_on_ml100k):
  model, params, split = sasrec_on_ml100k
  ev = evaluate.Evaluator(model, split, seq_len=20, mesh=parallel.make_mesh(), batch_size=256)
  got = ev.evaluate(params, "valid")
  for s in ev.sets["valid"]:
    q = model.apply({"params": params}, {"inputs": jnp.asarray(s.inputs)}, method="encode_users")
    scores = np.asarray(model.apply({"params": params}, q, jnp.arange(split.num_items + 1), method="score"))
    for name, cand in s.candidates.items():
      want = numpy_metrics(scores, s.history, s.targets, cand).mean(0)
      for m, metric in enumerate(evaluate.metric_names()):
        assert got[f"valid/{name}/{metric}"] == pytest.approx(want[m], rel=1e-4, abs=1e-6)
