"""The one dataset object every reader produces: chronological per-user item ids.

Sequences are stored flat (CSR: `offsets`, `items`) so that a dataset of any size is
two numpy arrays, caches as one `.npz`, and slices without Python loops.
"""
import dataclasses
import os

import numpy as np


class DataFormatError(ValueError):
  """Bad input: names the file, the line (1-based) and what was expected."""

  def __init__(self, path, line, expected, got=None):
    where = f"{path}:{line}" if line else str(path)
    msg = f"{where}: expected {expected}"
    if got is not None:
      got = got if len(got) <= 80 else got[:77] + "..."
      msg += f", got {got!r}"
    super().__init__(msg)
    self.path, self.line = str(path), line


def require_file(path, what):
  """Raises DataFormatError for a missing input file, saying what it should hold."""
  if not os.path.isfile(path):
    raise DataFormatError(path, None, f"an existing file ({what})", got="no such file")
  return path


@dataclasses.dataclass(frozen=True)
class Dataset:
  """Users 0..U-1, items 1..I (0 is padding), each user's items in time order.

  Attributes:
    name: dataset name, for tables and file names.
    offsets: int64[U+1]; user u's items are items[offsets[u]:offsets[u+1]].
    items: int32[N], item ids in 1..I.
    titles: str[I+1]; titles[i] is item i's title, "" where the source has none.
    user_raw: str[U], the source's user ids.
    item_raw: str[I+1], the source's item ids (item_raw[0] = "").
    counts: what reading dropped or repaired, by rule (duplicates removed, users
      dropped by filtering, ...), reported beside the statistics.
  """
  name: str
  offsets: np.ndarray
  items: np.ndarray
  titles: np.ndarray
  user_raw: np.ndarray
  item_raw: np.ndarray
  counts: dict = dataclasses.field(default_factory=dict)

  def __post_init__(self):
    if self.offsets[0] != 0 or self.offsets[-1] != len(self.items):
      raise ValueError("offsets must start at 0 and end at len(items)")
    if len(self.items) and (self.items.min() < 1 or self.items.max() > self.num_items):
      raise ValueError(f"item ids must lie in 1..{self.num_items}")
    if len(self.user_raw) != self.num_users:
      raise ValueError("user_raw must have one entry per user")

  @property
  def num_users(self):
    return len(self.offsets) - 1

  @property
  def num_items(self):
    return len(self.titles) - 1

  @property
  def num_interactions(self):
    return len(self.items)

  @property
  def lengths(self):
    return np.diff(self.offsets)

  def sequence(self, user):
    return self.items[self.offsets[user]:self.offsets[user + 1]]

  def arrays(self):
    """Everything as named numpy arrays (no pickled objects), for np.savez."""
    counts = sorted(self.counts.items())
    return dict(
        name=np.array(self.name), offsets=self.offsets, items=self.items,
        titles=self.titles, user_raw=self.user_raw, item_raw=self.item_raw,
        count_keys=np.array([k for k, _ in counts], dtype=str),
        count_values=np.array([v for _, v in counts], dtype=np.int64))

  @classmethod
  def from_arrays(cls, a):
    return cls(name=str(a["name"]), offsets=a["offsets"], items=a["items"],
               titles=a["titles"], user_raw=a["user_raw"], item_raw=a["item_raw"],
               counts=dict(zip(a["count_keys"].tolist(), a["count_values"].tolist())))


def to_csr(sequences):
  """List of int sequences -> (offsets int64[U+1], items int32[N])."""
  lengths = np.fromiter((len(s) for s in sequences), dtype=np.int64, count=len(sequences))
  offsets = np.zeros(len(sequences) + 1, dtype=np.int64)
  np.cumsum(lengths, out=offsets[1:])
  items = np.fromiter((i for s in sequences for i in s), dtype=np.int32, count=offsets[-1])
  return offsets, items


def from_interactions(name, users, items, times, titles_by_raw, counts=None, k_core=0):
  """Builds a Dataset from raw (user, item, time) rows, with the shared rules.

  Rules: rows are ordered by time within each user, ties kept in input order; a
  repeated (user, item) keeps its first occurrence (counted as
  `duplicates_removed`); with k_core > 0, users and items with fewer than k
  interactions are removed until none is left (counted as `users_dropped_kcore`,
  `items_dropped_kcore`). Users are numbered in order of first appearance in the
  input, items in order of first appearance in the time-ordered interactions.
  """
  counts = dict(counts or {})
  user_raw, user_first_row, u = np.unique(
      np.asarray(users, dtype=str), return_index=True, return_inverse=True)
  item_raw, i = np.unique(np.asarray(items, dtype=str), return_inverse=True)
  t = np.asarray(times, dtype=np.float64)
  order = np.argsort(t, kind="stable")
  order = order[np.argsort(u[order], kind="stable")]
  u, i = u[order], i[order]

  key = u.astype(np.int64) * len(item_raw) + i
  _, first = np.unique(key, return_index=True)
  keep = np.zeros(len(key), dtype=bool)
  keep[first] = True
  counts["duplicates_removed"] = counts.get("duplicates_removed", 0) + int((~keep).sum())
  u, i = u[keep], i[keep]

  if k_core:
    users_before, items_before = len(np.unique(u)), len(np.unique(i))
    while len(u):
      bad_u = np.bincount(u)[u] < k_core
      bad_i = np.bincount(i)[i] < k_core
      if not (bad_u.any() or bad_i.any()):
        break
      u, i = u[~(bad_u | bad_i)], i[~(bad_u | bad_i)]
    counts["users_dropped_kcore"] = users_before - len(np.unique(u))
    counts["items_dropped_kcore"] = items_before - len(np.unique(i))
  if not len(u):
    raise ValueError(f"{name}: no interaction is left after filtering (k_core={k_core})")

  # Renumber: users by first appearance in the input file, items by first
  # appearance in the time-ordered rows.
  kept_users = np.unique(u)
  kept_users = kept_users[np.argsort(user_first_row[kept_users], kind="stable")]
  user_new = np.full(len(user_raw), -1, dtype=np.int64)
  user_new[kept_users] = np.arange(len(kept_users))
  _, first_item = np.unique(i, return_index=True)
  kept_items = i[np.sort(first_item)]
  item_new = np.zeros(len(item_raw), dtype=np.int32)
  item_new[kept_items] = np.arange(1, len(kept_items) + 1)

  nu = user_new[u]
  order = np.argsort(nu, kind="stable")
  offsets = np.zeros(len(kept_users) + 1, dtype=np.int64)
  np.cumsum(np.bincount(nu, minlength=len(kept_users)), out=offsets[1:])
  raw_items = np.concatenate([[""], item_raw[kept_items]])
  titles = np.array([titles_by_raw.get(r, "") for r in raw_items], dtype=str)
  titles[0] = ""
  return Dataset(name=name, offsets=offsets, items=item_new[i[order]],
                 titles=titles, user_raw=user_raw[kept_users], item_raw=raw_items,
                 counts=counts)
