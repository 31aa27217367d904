"""Invariants of the cold-start split (PROTOCOL.md), on real data."""
import numpy as np
import pytest

from recjax.data.split import cold_start_split
from tests.conftest import load_named


@pytest.fixture(scope="module", params=["ml100k", "beauty"])
def data(request):
  return load_named(request.param)


def test_cold_items(data):
  ds, split = data
  cold = split.cold_items
  assert len(cold) == round(0.2 * ds.num_items)
  assert len(np.intersect1d(split.cold_valid_items, split.cold_test_items)) == 0
  assert abs(len(split.cold_valid_items) - len(split.cold_test_items)) <= 1
  np.testing.assert_array_equal(np.sort(np.concatenate([split.cold_valid_items, split.cold_test_items])), cold)
  np.testing.assert_array_equal(np.union1d(cold, split.warm_items), np.arange(1, ds.num_items + 1))


def test_no_cold_item_in_training_or_warm_targets(data):
  _, split = data
  assert not split.is_cold[split.train_items].any()
  assert not split.is_cold[split.warm_valid[split.warm_valid > 0]].any()
  assert not split.is_cold[split.warm_test[split.warm_test > 0]].any()


def test_warm_leave_one_out_and_cold_targets(data):
  ds, split = data
  for u in range(0, ds.num_users, max(1, ds.num_users // 300)):
    seq = ds.sequence(u).tolist()
    warm = [i for i in seq if not split.is_cold[i]]
    if len(warm) >= 3:
      assert split.train_sequence(u).tolist() == warm[:-2]
      assert (split.warm_valid[u], split.warm_test[u]) == (warm[-2], warm[-1])
    else:  # training-only
      assert split.train_sequence(u).tolist() == warm
      assert (split.warm_valid[u], split.warm_test[u]) == (0, 0)
    cv = set(split.cold_valid_items.tolist())
    assert split.cold_targets("valid", u).tolist() == [i for i in seq if i in cv]
    assert split.cold_targets("test", u).tolist() == [i for i in seq if split.is_cold[i] and i not in cv]
  # every interaction lands in exactly one place
  total = (len(split.train_items) + (split.warm_valid > 0).sum() + (split.warm_test > 0).sum()
           + len(split.cold_valid_targets) + len(split.cold_test_targets))
  assert total == ds.num_interactions


def test_training_only_users_exist_and_are_short(data):
  ds, split = data
  only = split.warm_test == 0
  warm_len = np.array([(~split.is_cold[ds.sequence(u)]).sum() for u in np.flatnonzero(only)])
  assert (warm_len < 3).all()
  assert set(split.warm_eval_users()) == set(np.flatnonzero(~only))


def test_seeded():
  ds, split = load_named("ml100k")
  again = cold_start_split(ds, fraction=0.2, seed=0)
  other = cold_start_split(ds, fraction=0.2, seed=1)
  for k, v in split.arrays().items():
    assert v.tobytes() == again.arrays()[k].tobytes(), k
  assert not np.array_equal(split.cold_test_items, other.cold_test_items)


def test_bad_fraction():
  ds, _ = load_named("ml100k")
  with pytest.raises(ValueError, match="cold.fraction"):
    cold_start_split(ds, fraction=1.0)
