"""launch.prepare end to end: the statistics table, then the cache on a second call."""
import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def run_prepare(tmp_path, *flags):
  cmd = [sys.executable, "-m", "launch.prepare", "--config=configs/data.py:ml100k",
         f"--config.cache_dir={tmp_path / 'cache'}", *flags]
  result = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
  assert result.returncode == 0, result.stderr
  return result.stdout


def test_prepare_prints_counts_then_loads_cache(tmp_path):
  first = run_prepare(tmp_path, f"--workdir={tmp_path / 'w'}")
  rows = dict(line.rsplit(None, 1) for line in first.splitlines()[2:] if line.strip() and "cache" not in line)
  assert (rows["users"], rows["items"], rows["interactions"]) == ("943", "1,682", "100,000")
  assert "cached at" in first
  second = run_prepare(tmp_path)
  assert "loaded from" in second
  assert second.splitlines()[:-1] == first.splitlines()[:-1]  # same table from the cache
  saved = json.loads((tmp_path / "w" / "stats.json").read_text())
  assert saved["interactions"] == 100_000
  assert json.loads((tmp_path / "w" / "config.json").read_text())["data"]["name"] == "ml-100k"
