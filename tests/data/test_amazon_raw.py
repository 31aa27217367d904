"""Raw Amazon 2014/2018 dumps, written here in both formats (nothing can be downloaded)."""
import gzip
import json

import numpy as np
import pytest

from configs import data
from recjax.data import amazon_raw, load


def write_dump(folder, rows, titles, version):
  """rows: (reviewer, asin, time); titles: asin -> title. Gzipped like the real files."""
  reviews = folder / f"reviews_{version}.json.gz"
  meta = folder / f"meta_{version}.json.gz"
  with gzip.open(reviews, "wt") as f:
    for user, asin, t in rows:
      f.write(json.dumps({"reviewerID": user, "asin": asin, "overall": 5.0,
                          "unixReviewTime": t, "reviewText": "ok"}) + "\n")
  with gzip.open(meta, "wt") as f:
    for asin, title in titles.items():
      record = {"asin": asin, "title": title, "categories": [["Beauty"]]}
      # 2014 metadata lines are Python literals (single quotes), 2018 lines JSON.
      f.write((repr(record) if version == 2014 else json.dumps(record)) + "\n")
  return reviews, meta


def naive_kcore(rows, k):
  pairs = list(dict.fromkeys((u, i) for u, i, _ in rows))
  while True:
    users, items = {}, {}
    for u, i in pairs:
      users[u] = users.get(u, 0) + 1
      items[i] = items.get(i, 0) + 1
    kept = [(u, i) for u, i in pairs if users[u] >= k and items[i] >= k]
    if len(kept) == len(pairs):
      return set(kept)
    pairs = kept


@pytest.mark.parametrize("version", [2014, 2018])
def test_kcore_order_titles_and_duplicates(tmp_path, version):
  rng = np.random.default_rng(0)
  rows = [(f"U{rng.integers(40)}", f"A{rng.integers(30)}", int(rng.integers(1000, 1100)))
          for _ in range(900)]
  titles = {f"A{i}": f"Item {i}'s \"title\"" for i in range(30) if i != 3}
  reviews, meta = write_dump(tmp_path, rows, titles, version)
  ds = amazon_raw.read_amazon("t", reviews, meta, version=version, k_core=5)

  expected = naive_kcore(rows, 5)
  got = {(ds.user_raw[u], ds.item_raw[i]) for u in range(ds.num_users) for i in ds.sequence(u)}
  assert got == expected
  assert ds.counts["duplicates_removed"] == len(rows) - len(set((u, i) for u, i, _ in rows))
  first_time = {}  # a repeated review keeps its earliest occurrence
  for n, (u, i, t) in enumerate(rows):
    first_time[(u, i)] = min(first_time.get((u, i), (t, n)), (t, n))
  for u in range(ds.num_users):
    keys = [first_time[(ds.user_raw[u], ds.item_raw[i])] for i in ds.sequence(u)]
    assert keys == sorted(keys)  # time order, ties in file order
  for i in range(1, ds.num_items + 1):
    assert ds.titles[i] == titles.get(ds.item_raw[i], "")


def test_kcore_drops_users_left_empty(tmp_path):
  # u_sparse only touches items that fall out of the 2-core, so filtering empties them.
  rows = [(u, i, t) for t, (u, i) in enumerate(
      [("a", "x"), ("a", "y"), ("b", "x"), ("b", "y"), ("u_sparse", "z"), ("u_sparse", "x")])]
  reviews, meta = write_dump(tmp_path, rows, {"x": "X", "y": "Y"}, 2018)
  ds = amazon_raw.read_amazon("t", reviews, meta, version=2018, k_core=2)
  assert sorted(ds.user_raw) == ["a", "b"]
  assert ds.counts["users_dropped_kcore"] == 1 and ds.counts["items_dropped_kcore"] == 1


def test_config_route(tmp_path):
  rows = [(f"u{n % 7}", f"i{n % 5}", n) for n in range(70)]
  reviews, meta = write_dump(tmp_path, rows, {f"i{k}": f"t{k}" for k in range(5)}, 2014)
  config = data.get_config("amazon2014")
  config.data.reviews, config.data.meta = str(reviews), str(meta)
  ds, split, _ = load.load(config)
  assert (ds.num_users, ds.num_items, ds.num_interactions) == (7, 5, 35)
  assert split.num_items == 5
