"""Readers on the real datasets: the published counts, titles, ids and order."""
import numpy as np
import pytest

from configs import data
from recjax.data import atomic, load
from tests.conftest import load_named


@pytest.mark.parametrize("name, users, items, interactions, titled", [
    ("beauty", 22_363, 12_101, 198_502, 12_094),
    ("sports", 35_598, 18_357, 296_337, 18_184),
    ("ml100k", 943, 1_682, 100_000, 1_682),
])
def test_published_counts(name, users, items, interactions, titled):
  dataset, _ = load_named(name)
  assert (dataset.num_users, dataset.num_items, dataset.num_interactions) == (users, items, interactions)
  assert (np.char.str_len(dataset.titles[1:]) > 0).sum() == titled
  assert dataset.items.dtype == np.int32 and dataset.items.min() == 1
  assert set(np.unique(dataset.items)) == set(range(1, items + 1))


def test_p5_keeps_file_ids_and_titles(shared_data):
  dataset, _ = load_named("beauty")
  lines = (shared_data / "amazon2014-beauty" / "sequential_data.txt").read_text().splitlines()
  for u in (0, 1, 777, len(lines) - 1):
    assert dataset.sequence(u).tolist() == [int(x) for x in lines[u].split()[1:]]
  rows = (shared_data / "amazon2014-beauty" / "items.tsv").read_text(encoding="utf-8").splitlines()
  item_id, asin, title = rows[1].split("\t")
  assert dataset.titles[int(item_id)] == title and dataset.item_raw[int(item_id)] == asin
  assert dataset.user_raw[0] != "1"  # reviewer ids come from datamaps.json, not the line number


def test_ml100k_ordered_by_timestamp_per_user():
  dataset, _ = load_named("ml100k")
  folder = atomic.recbole_example_dir("ml-100k")
  rows = [line.rstrip("\n").split("\t") for line in open(f"{folder}/ml-100k.inter")][1:]
  for u in (0, 100, 942):
    raw_user = dataset.user_raw[u]
    mine = sorted((float(t), n, i) for n, (usr, i, _, t) in enumerate(rows) if usr == raw_user)
    assert dataset.item_raw[dataset.sequence(u)].tolist() == [i for _, _, i in mine]


def test_cache_round_trip_is_exact(tmp_path):
  config = data.get_config("ml100k")
  config.cache_dir = str(tmp_path)
  first, split1, hit1 = load.load(config)
  second, split2, hit2 = load.load(config)
  assert (hit1, hit2) == (False, True)
  for a, b in [(first.arrays(), second.arrays()), (split1.arrays(), split2.arrays())]:
    assert a.keys() == b.keys()
    for k in a:
      np.testing.assert_array_equal(a[k], b[k])
  config.cold.seed = 1
  assert load.cache_path(config) != load.cache_path(data.get_config("ml100k"))
