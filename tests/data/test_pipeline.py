"""The numpy input pipeline: correct windows and negatives, (seed, step) purity,
process shares, and global arrays over the 4-device mesh."""
import jax
import numpy as np
import pytest

from recjax import parallel
from recjax.data.pipeline import SequenceBatches, TripleBatches
from tests.conftest import load_named


@pytest.fixture(scope="module")
def split():
  return load_named("ml100k")[1]


def test_sequence_windows(split):
  L = 30
  batches = SequenceBatches(split, seq_len=L, batch_size=64, num_negatives=3, seed=1)
  b = batches.batch(5)
  assert {k: v.shape for k, v in b.items()} == dict(
      user=(64,), inputs=(64, L), positive=(64, L), negatives=(64, L, 3), mask=(64, L))
  assert all(b[k].dtype == np.int32 for k in ("user", "inputs", "positive", "negatives"))
  for row, u in enumerate(b["user"]):
    seq = split.train_sequence(u).tolist()[-(L + 1):]
    padded = [0] * (L + 1 - len(seq)) + seq
    assert b["inputs"][row].tolist() == padded[:-1]
    n = len(seq) - 1
    assert b["mask"][row].tolist() == [False] * (L - n) + [True] * n
    assert b["positive"][row].tolist() == [0] * (L - n) + seq[1:]
  negs = b["negatives"]
  assert not split.is_cold[negs].any() and (negs > 0).all()
  assert not (negs == b["positive"][:, :, None]).any()


def test_negatives_cover_every_warm_item(split):
  batches = SequenceBatches(split, seq_len=50, batch_size=128, num_negatives=2, seed=0)
  drawn = np.unique(np.concatenate([batches.batch(s)["negatives"].ravel() for s in range(6)]))
  np.testing.assert_array_equal(drawn, split.warm_items)  # first and last included


def test_pure_function_of_seed_and_step(split):
  a = SequenceBatches(split, seq_len=20, batch_size=100, seed=3)
  b = SequenceBatches(split, seq_len=20, batch_size=100, seed=3)
  resumed = b.iterate(7)
  for step in range(7, 12):  # crosses the epoch boundary (943 users / 100)
    x, y = a.batch(step), next(resumed)
    for k in x:
      np.testing.assert_array_equal(x[k], y[k])
  other = SequenceBatches(split, seq_len=20, batch_size=100, seed=4).batch(7)
  assert not np.array_equal(other["user"], a.batch(7)["user"])


@pytest.mark.parametrize("kind", [SequenceBatches, TripleBatches])
def test_each_example_once_per_epoch(split, kind):
  kw = dict(seq_len=10) if kind is SequenceBatches else {}
  batches = kind(split, batch_size=96, seed=0, **kw)
  n = batches.num_examples
  steps = -(-2 * n // 96)
  seen = np.concatenate([batches.example_indices(s) for s in range(steps)])
  for epoch in range(2):
    np.testing.assert_array_equal(np.sort(seen[epoch * n:(epoch + 1) * n]), np.arange(n))


@pytest.mark.parametrize("kind", [SequenceBatches, TripleBatches])
def test_process_shares_make_the_global_batch(split, kind):
  kw = dict(seq_len=10) if kind is SequenceBatches else {}
  whole = kind(split, batch_size=128, num_negatives=4, seed=2, **kw).batch(3)
  shares = [kind(split, batch_size=128, num_negatives=4, seed=2, process_index=p, process_count=4, **kw).batch(3)
            for p in range(4)]
  for k in whole:
    np.testing.assert_array_equal(np.concatenate([s[k] for s in shares]), whole[k])
  with pytest.raises(ValueError, match="must divide by the process count 3"):
    kind(split, batch_size=128, process_count=3, process_index=0, **kw)


def test_triples(split):
  b = TripleBatches(split, batch_size=256, num_negatives=8, seed=0).batch(0)
  for u, pos, negs in zip(b["user"], b["positive"], b["negatives"]):
    train = set(split.train_sequence(u).tolist())
    assert pos in train
    assert not train & set(negs.tolist())
  assert not split.is_cold[b["negatives"]].any()


def test_global_arrays_on_four_devices(split):
  assert jax.device_count() == 4
  mesh = parallel.make_mesh()
  b = SequenceBatches(split, seq_len=16, batch_size=8, seed=0).batch(0)
  g = parallel.to_global(b, mesh)
  assert g["inputs"].shape == (8, 16)
  shards = sorted(g["inputs"].addressable_shards, key=lambda s: s.index[0].start)
  assert len(shards) == 4
  for n, shard in enumerate(shards):
    np.testing.assert_array_equal(np.asarray(shard.data), b["inputs"][2 * n:2 * n + 2])
  with pytest.raises(ValueError, match=r"global batch size 6 must divide by the number of devices \(4\)"):
    parallel.to_global({"x": np.zeros((6, 2), np.int32)}, mesh)
