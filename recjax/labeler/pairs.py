"""Which pairs a labeler is asked about: cold pairs for augmentation, and true-vs-random
warm pairs for measuring a labeler before any recommender is trained (PROTOCOL.md)."""
import dataclasses

import numpy as np


@dataclasses.dataclass(frozen=True)
class Pairs:
  users: np.ndarray      # int32[P]
  a: np.ndarray          # int32[P]
  b: np.ndarray          # int32[P]
  histories: list        # P lists of item ids, oldest first


def titled(dataset):
  return np.char.str_len(dataset.titles) > 0


def history(dataset, split, user, length, with_valid=False):
  """The user's last `length` warm training items with a title, oldest first."""
  items = split.train_sequence(user)
  if with_valid and split.warm_valid[user]:
    items = np.append(items, split.warm_valid[user])
  items = items[titled(dataset)[items]]
  return items[-length:].tolist() if length else []


def augmentation_pairs(dataset, split, *, num_users=0, pairs_per_user=1, history_len=10,
                       strategy="random", seed=0, similarity=None):
  """Cold pairs: `random` draws two distinct titled cold items; `similar` takes one from
  the 20 cold items whose titles are closest to the history (needs `similarity`, a
  TfidfLabeler) and one at random."""
  rng = np.random.default_rng([seed, 7])
  cold = split.cold_items[titled(dataset)[split.cold_items]]
  if len(cold) < 2:
    raise ValueError("fewer than two cold items with titles: nothing to pair")
  users = np.flatnonzero(split.train_lengths > 0)
  if num_users and num_users < len(users):
    users = np.sort(rng.choice(users, num_users, replace=False))
  out_u, out_a, out_b, hists = [], [], [], []
  for u in users:
    h = history(dataset, split, u, history_len)
    for _ in range(pairs_per_user):
      if strategy == "random":
        i, j = rng.choice(cold, 2, replace=False)
      elif strategy == "similar":
        if similarity is None:
          raise ValueError("strategy 'similar' needs a similarity labeler")
        close = similarity.nearest(h, cold, 20)
        i = rng.choice(close)
        j = rng.choice(cold[cold != i])
        if rng.random() < 0.5:  # the similar item is not always shown first
          i, j = j, i
      else:
        raise ValueError(f"unknown aug.strategy {strategy!r}; known: random, similar")
      out_u.append(u), out_a.append(i), out_b.append(j), hists.append(h)
  return Pairs(np.array(out_u, np.int32), np.array(out_a, np.int32), np.array(out_b, np.int32), hists)


def accuracy_pairs(dataset, split, *, num_users=1000, history_len=10, seed=0):
  """Warm users: a = the true warm test item, b = a random titled warm item the user
  never touched; the history is everything before the test item."""
  rng = np.random.default_rng([seed, 11])
  users = split.warm_eval_users()
  users = users[titled(dataset)[split.warm_test[users]]]
  if num_users and num_users < len(users):
    users = np.sort(rng.choice(users, num_users, replace=False))
  warm = split.warm_items[titled(dataset)[split.warm_items]]
  a, b, hists = [], [], []
  for u in users:
    seen = set(dataset.sequence(u).tolist())
    j = rng.choice(warm)
    while j in seen:
      j = rng.choice(warm)
    a.append(split.warm_test[u]), b.append(j)
    hists.append(history(dataset, split, u, history_len, with_valid=True))
  return Pairs(users.astype(np.int32), np.array(a, np.int32), np.array(b, np.int32), hists)


def accuracy(margins):
  """Fraction of pairs where a (the truth) wins, ties half, with a 95% Wilson interval."""
  m = np.asarray(margins)
  n = len(m)
  p = (np.sum(m > 0) + 0.5 * np.sum(m == 0)) / n
  z = 1.96
  centre = (p + z * z / (2 * n)) / (1 + z * z / n)
  half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
  return {"accuracy": float(p), "low": float(centre - half), "high": float(centre + half), "n": n}


def confidence_curve(margins, quantiles=(0.0, 0.25, 0.5, 0.75, 0.9)):
  """As the |margin| threshold rises: the fraction of pairs kept and their accuracy."""
  m = np.asarray(margins)
  rows = []
  for q in quantiles:
    threshold = float(np.quantile(np.abs(m), q))
    kept = np.abs(m) >= threshold
    rows.append({"threshold": threshold, "kept": float(kept.mean()), **accuracy(m[kept])})
  return rows
