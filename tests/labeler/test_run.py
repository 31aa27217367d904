"""Labeling jobs: resume after a kill gives exactly the uninterrupted labels, process
shares add up to the whole, accuracy pairs follow the protocol."""
import numpy as np
import pytest

from configs import label
from recjax.labeler import pairs, run
from tests.conftest import load_named


def config(kind="tfidf", **aug):
  c = label.get_config(f"ml100k,kind={kind}")
  c.shard_size = 100
  c.aug.update(aug)
  return c


def shards(workdir):
  return {p.name: dict(np.load(p)) for p in sorted(workdir.glob("labels-*.npz"))}


def test_resume_gives_the_uninterrupted_labels(tmp_path):
  whole = tmp_path / "whole"
  run.label_pairs(config(), whole)
  expected = shards(whole)
  assert len(expected) == 10  # 943 users, one pair each, 100 a shard

  killed = tmp_path / "killed"
  paths = run.label_pairs(config(), killed)
  for p in paths[3:7]:
    p.unlink()
  (killed / f".{paths[3].name}.partial").write_bytes(b"half a shard")  # what a kill leaves
  run.label_pairs(config(), killed)
  got = shards(killed)
  assert got.keys() == expected.keys()
  for name in expected:
    for k in expected[name]:
      np.testing.assert_array_equal(got[name][k], expected[name][k])
  labels = run.load_labels(killed)
  assert len(labels["user"]) == 943 and len(np.unique(labels["user"])) == 943  # no duplicates


def test_process_shares_add_up(tmp_path, monkeypatch):
  run.label_pairs(config(), tmp_path / "one")
  for p in range(3):
    monkeypatch.setattr(run.jax, "process_count", lambda: 3)
    monkeypatch.setattr(run.jax, "process_index", lambda p=p: p)
    run.label_pairs(config(), tmp_path / "three")
    written = {int(x.name[7:12]) for x in (tmp_path / "three").glob("labels-*.npz")}
    assert written == {k for k in range(10) if k % 3 <= p}
  one, three = shards(tmp_path / "one"), shards(tmp_path / "three")
  assert one.keys() == three.keys()
  for name in one:
    np.testing.assert_array_equal(one[name]["margin"], three[name]["margin"])


def test_load_labels_orients_and_filters(tmp_path):
  run.label_pairs(config(), tmp_path)
  raw = {k: np.concatenate([s[k] for s in shards(tmp_path).values()]) for k in ("item_a", "item_b", "margin")}
  labels = run.load_labels(tmp_path, min_margin=0.05)
  keep = np.abs(raw["margin"]) >= 0.05
  assert 0 < keep.sum() < len(keep) and len(labels["user"]) == keep.sum()
  a_wins = raw["margin"][keep] > 0
  np.testing.assert_array_equal(labels["preferred"], np.where(a_wins, raw["item_a"][keep], raw["item_b"][keep]))
  (tmp_path / "labels-00004-of-00010.npz").unlink()
  with pytest.raises(FileNotFoundError, match="9 of 10 label shards"):
    run.load_labels(tmp_path)


def test_pairs_are_cold_and_titled():
  ds, split = load_named("ml100k")
  p = pairs.augmentation_pairs(ds, split, pairs_per_user=2, seed=1)
  assert split.is_cold[p.a].all() and split.is_cold[p.b].all() and (p.a != p.b).all()
  assert len(p.users) == 2 * (split.train_lengths > 0).sum()
  assert all(len(h) <= 10 and not split.is_cold[h].any() for h in p.histories)


def test_accuracy_pairs_follow_the_protocol():
  ds, split = load_named("ml100k")
  p = pairs.accuracy_pairs(ds, split, num_users=200, seed=0)
  assert (p.a == split.warm_test[p.users]).all()
  for u, b, h in zip(p.users, p.b, p.histories):
    assert b not in set(ds.sequence(u).tolist()) and not split.is_cold[b]
    assert h[-1] == split.warm_valid[u]  # everything before the test item
  acc = pairs.accuracy(np.array([1.0, -1.0, 0.0, 2.0]))
  assert acc["accuracy"] == pytest.approx(0.625) and acc["low"] < 0.625 < acc["high"]
