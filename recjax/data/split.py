"""The seeded cold-start split of PROTOCOL.md, vectorized over the flat sequences.

One numpy Generator, seeded from `cold.seed`, draws the cold items and then splits
them into cold-valid and cold-test; nothing else consumes randomness here, so the
same seed gives byte-identical arrays.
"""
import dataclasses

import numpy as np

MIN_WARM_FOR_EVAL = 3  # test + valid + at least one training item


def _csr(users, items, num_users):
  """Flat (user, item) rows grouped by user (rows already in user order)."""
  offsets = np.zeros(num_users + 1, dtype=np.int64)
  np.cumsum(np.bincount(users, minlength=num_users), out=offsets[1:])
  return offsets, items.astype(np.int32)


@dataclasses.dataclass(frozen=True)
class Split:
  """Item ids refer to the Dataset; user arrays are indexed by its user numbers.

  train_offsets/train_items: each user's warm training sequence, in time order.
  warm_valid/warm_test: int32[U], the leave-one-out targets, 0 where the user has
    fewer than 3 warm interactions (training-only).
  cold_valid_*/cold_test_*: each user's cold-valid (cold-test) items, in time order;
    a user with at least one is a cold-valid (cold-test) user.
  """
  num_items: int
  cold_valid_items: np.ndarray
  cold_test_items: np.ndarray
  train_offsets: np.ndarray
  train_items: np.ndarray
  warm_valid: np.ndarray
  warm_test: np.ndarray
  cold_valid_offsets: np.ndarray
  cold_valid_targets: np.ndarray
  cold_test_offsets: np.ndarray
  cold_test_targets: np.ndarray

  @property
  def num_users(self):
    return len(self.warm_test)

  @property
  def cold_items(self):
    return np.union1d(self.cold_valid_items, self.cold_test_items).astype(np.int32)

  @property
  def is_cold(self):
    mask = np.zeros(self.num_items + 1, dtype=bool)
    mask[self.cold_valid_items] = True
    mask[self.cold_test_items] = True
    return mask

  @property
  def warm_items(self):
    return np.flatnonzero(~self.is_cold[1:]).astype(np.int32) + 1

  @property
  def train_lengths(self):
    return np.diff(self.train_offsets)

  def train_sequence(self, user):
    return self.train_items[self.train_offsets[user]:self.train_offsets[user + 1]]

  def cold_targets(self, which, user):
    offsets, items = ((self.cold_valid_offsets, self.cold_valid_targets) if which == "valid"
                      else (self.cold_test_offsets, self.cold_test_targets))
    return items[offsets[user]:offsets[user + 1]]

  def warm_eval_users(self):
    return np.flatnonzero(self.warm_test > 0)

  def cold_eval_users(self, which):
    offsets = self.cold_valid_offsets if which == "valid" else self.cold_test_offsets
    return np.flatnonzero(np.diff(offsets) > 0)

  def arrays(self, prefix="split_"):
    out = {prefix + f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
    out[prefix + "num_items"] = np.array(self.num_items)
    return out

  @classmethod
  def from_arrays(cls, a, prefix="split_"):
    kw = {f.name: a[prefix + f.name] for f in dataclasses.fields(cls)}
    kw["num_items"] = int(kw["num_items"])
    return cls(**kw)


def cold_start_split(dataset, fraction=0.2, seed=0):
  """PROTOCOL.md steps 1-5: cold items, warm leave-one-out, cold targets."""
  if not 0.0 <= fraction < 1.0:
    raise ValueError(f"cold.fraction must lie in [0, 1), got {fraction}")
  rng = np.random.default_rng(seed)
  num_items, num_users = dataset.num_items, dataset.num_users
  # choice without replacement returns the sample in random order, so its two
  # halves are a uniform 50/50 split by item.
  cold = rng.choice(np.arange(1, num_items + 1, dtype=np.int32),
                    size=int(round(fraction * num_items)), replace=False)
  cold_valid, cold_test = np.sort(cold[:len(cold) // 2]), np.sort(cold[len(cold) // 2:])
  kind = np.zeros(num_items + 1, dtype=np.int8)  # 0 warm, 1 cold-valid, 2 cold-test
  kind[cold_valid], kind[cold_test] = 1, 2

  items = dataset.items
  user_of = np.repeat(np.arange(num_users), dataset.lengths)
  warm = kind[items] == 0
  w_items, w_user = items[warm], user_of[warm]
  w_len = np.bincount(w_user, minlength=num_users)
  w_end = np.cumsum(w_len)[w_user]  # one past the user's last warm row
  row = np.arange(len(w_items))
  evaluable = w_len[w_user] >= MIN_WARM_FOR_EVAL
  is_test = evaluable & (row == w_end - 1)
  is_valid = evaluable & (row == w_end - 2)
  warm_test = np.zeros(num_users, dtype=np.int32)
  warm_valid = np.zeros(num_users, dtype=np.int32)
  warm_test[w_user[is_test]] = w_items[is_test]
  warm_valid[w_user[is_valid]] = w_items[is_valid]
  train = ~(is_test | is_valid)
  train_offsets, train_items = _csr(w_user[train], w_items[train], num_users)

  cv = kind[items] == 1
  ct = kind[items] == 2
  cv_offsets, cv_items = _csr(user_of[cv], items[cv], num_users)
  ct_offsets, ct_items = _csr(user_of[ct], items[ct], num_users)
  return Split(num_items=num_items, cold_valid_items=cold_valid, cold_test_items=cold_test,
               train_offsets=train_offsets, train_items=train_items,
               warm_valid=warm_valid, warm_test=warm_test,
               cold_valid_offsets=cv_offsets, cold_valid_targets=cv_items,
               cold_test_offsets=ct_offsets, cold_test_targets=ct_items)
