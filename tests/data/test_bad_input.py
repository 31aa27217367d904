"""Bad input: each case has a documented rule or an error naming file, line, expectation."""
import gzip
import json
import pathlib
import subprocess
import sys

import pytest

from recjax.data import amazon_raw, atomic, p5
from recjax.data.dataset import DataFormatError
from recjax.data.split import cold_start_split
from recjax.data.stats import statistics

SEQUENCES = "1 1 2 3\n2 2 3 4 1\n3 4 1 2 3\n"
ITEMS = "item_id\tasin\ttitle\n1\tA1\tOne\n2\tA2\tTwo\n3\tA3\tThree\n4\tA4\tFour\n"
MAPS = {"id2user": {"1": "R1", "2": "R2", "3": "R3"}, "id2item": {str(i): f"A{i}" for i in range(1, 5)}}


def p5_folder(tmp_path, sequences=SEQUENCES, items=ITEMS, maps=None):
  folder = tmp_path / "toy"
  folder.mkdir(exist_ok=True)
  (folder / "sequential_data.txt").write_text(sequences)
  (folder / "items.tsv").write_text(items)
  (folder / "datamaps.json").write_text(maps if isinstance(maps, str) else json.dumps(maps or MAPS))
  return folder


def test_valid_toy_reads(tmp_path):
  ds = p5.read_p5("toy", p5_folder(tmp_path))
  assert ds.sequence(1).tolist() == [2, 3, 4, 1] and ds.user_raw.tolist() == ["R1", "R2", "R3"]


@pytest.mark.parametrize("name, content, file, line, expected", [
    ("sequences", dict(sequences="1 1 2\n2 3 x4\n"), "sequential_data.txt", 2, "integer ids"),
    ("sequences", dict(sequences="1 1 2\n1 3 4\n"), "sequential_data.txt", 2, "each user on one line"),
    ("sequences", dict(sequences="1 1 0\n"), "sequential_data.txt", 1, "item ids >= 1"),
    ("items", dict(items=ITEMS + "5\tA5\n"), "items.tsv", 6, "3 tab-separated fields"),
    ("items", dict(items=ITEMS + "five\tA5\tFive\n"), "items.tsv", 6, "an integer item_id"),
    ("items", dict(items="id\tasin\tname\n1\tA1\tx\n"), "items.tsv", 1, "a header with columns"),
    ("maps", dict(maps='{"id2user": {\n "1": "R1",,\n}}'), "datamaps.json", 2, "valid JSON"),
])
def test_p5_errors_name_file_and_line(tmp_path, name, content, file, line, expected):
  folder = p5_folder(tmp_path, **content)
  with pytest.raises(DataFormatError) as e:
    p5.read_p5("toy", folder)
  assert f"{folder / file}:{line}: expected" in str(e.value) and expected in str(e.value)


def test_p5_item_beyond_catalog(tmp_path):
  with pytest.raises(DataFormatError, match=r"sequential_data.txt: expected item ids <= 4.*item 9"):
    p5.read_p5("toy", p5_folder(tmp_path, sequences="1 1 9\n"))


def test_missing_file_names_it(tmp_path):
  folder = p5_folder(tmp_path)
  (folder / "items.tsv").unlink()
  with pytest.raises(DataFormatError, match=r"items.tsv: expected an existing file .*no such file"):
    p5.read_p5("toy", folder)


def test_rules_duplicates_empty_users_missing_titles(tmp_path):
  items = ITEMS.replace("3\tA3\tThree", "3\tA3\t")  # item 3 has no title upstream
  ds = p5.read_p5("toy", p5_folder(tmp_path, sequences="1 1 2 1 3 2\n2\n3 4 1 2 3\n", items=items))
  assert ds.sequence(0).tolist() == [1, 2, 3]  # repeats keep their first occurrence
  assert ds.counts["duplicates_removed"] == 2
  assert ds.counts["empty_users_skipped"] == 1 and ds.num_users == 2
  assert ds.titles[3] == ""
  s = statistics(ds, cold_start_split(ds, fraction=0.5, seed=0))
  assert s["items_with_title"] == 3 and s["read_duplicates_removed"] == 2


def test_atomic_errors(tmp_path):
  inter = tmp_path / "x.inter"
  inter.write_text("user_id:token\titem_id:token\ttimestamp:float\n1\t2\t5\n1\t3\n")
  with pytest.raises(DataFormatError, match=r"x.inter:3: expected 3 tab-separated fields"):
    atomic.read_atomic("x", inter)
  inter.write_text("user_id:token\titem_id:token\ttimestamp:float\n1\t2\tnoon\n")
  with pytest.raises(DataFormatError, match=r"x.inter:2: expected a numeric timestamp, got 'noon'"):
    atomic.read_atomic("x", inter)
  inter.write_text("user:token\titem_id:token\n1\t2\n")
  with pytest.raises(DataFormatError, match=r"x.inter:1: expected a typed header .*user_id"):
    atomic.read_atomic("x", inter)


def test_atomic_ties_keep_file_order(tmp_path):
  inter = tmp_path / "x.inter"
  inter.write_text("user_id:token\titem_id:token\ttimestamp:float\n"
                   "u\ta\t5\nu\tb\t3\nu\tc\t5\nu\td\t3\nv\ta\t1\n")
  ds = atomic.read_atomic("x", inter)
  assert ds.item_raw[ds.sequence(0)].tolist() == ["b", "d", "a", "c"]


def test_amazon_errors(tmp_path):
  reviews = tmp_path / "r.json"
  reviews.write_text('{"reviewerID": "u", "asin": "a", "unixReviewTime": 1}\n{"reviewerID": "u", "asin"\n')
  with pytest.raises(DataFormatError, match=r"r.json:2: expected a JSON object"):
    amazon_raw.read_reviews(reviews)
  reviews.write_text('{"reviewerID": "u", "unixReviewTime": 1}\n')
  with pytest.raises(DataFormatError, match=r"r.json:1: expected keys .*missing \['asin'\]"):
    amazon_raw.read_reviews(reviews)
  meta = tmp_path / "m.json"
  meta.write_text("{'asin': 'a', 'title': 'ok'}\n{'asin': 'b', 'title': 'broken\n")
  with pytest.raises(DataFormatError, match=r"m.json:2: expected a Python dict literal"):
    amazon_raw.read_titles(meta, 2014)
  meta.write_text("__import__('os').system('echo unsafe')\n")  # never evaluated
  with pytest.raises(DataFormatError, match=r"m.json:1: expected a Python dict literal"):
    amazon_raw.read_titles(meta, 2014)


def test_truncated_gzip_names_file(tmp_path):
  path = tmp_path / "r.json.gz"
  with gzip.open(path, "wt") as f:
    for n in range(2000):
      f.write(json.dumps({"reviewerID": f"u{n}", "asin": "a", "unixReviewTime": n}) + "\n")
  path.write_bytes(path.read_bytes()[:-200])
  with pytest.raises(DataFormatError, match=r"r.json.gz:\d+: expected a complete gzip stream"):
    amazon_raw.read_reviews(path)


def test_launcher_reports_bad_input_without_traceback(tmp_path):
  folder = p5_folder(tmp_path, sequences="1 1 2\n2 3 x4\n")
  result = subprocess.run(
      [sys.executable, "-m", "launch.prepare", "--config=configs/data.py:beauty",
       f"--config.data.root={tmp_path}", "--config.data.name=toy"],
      capture_output=True, text=True, cwd=pathlib.Path(__file__).resolve().parents[2])
  assert result.returncode != 0
  assert f"error: {folder / 'sequential_data.txt'}:2: expected whitespace-separated integer ids" in result.stderr
  assert "Traceback" not in result.stderr
