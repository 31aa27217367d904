"""From a data config to (Dataset, Split): picks the reader, caches both as one .npz.

The cache key is a hash of the data and cold-split config plus the size and
modification time of every input file, so an edited source is never served stale.
"""
import hashlib
import json
import os
import pathlib
import tempfile

import numpy as np
from absl import logging

from recjax.data import amazon_raw, atomic, p5
from recjax.data.dataset import Dataset
from recjax.data.split import Split, cold_start_split

CACHE_VERSION = 1
PROJECT_ROOT = pathlib.Path(__file__).resolve().parents[2]


def data_root(cfg):
  """Where the shared datasets live: the config, $RECJAX_DATA_DIR, or ../shared/data."""
  root = cfg.get("root") or os.environ.get("RECJAX_DATA_DIR") or PROJECT_ROOT.parent / "shared" / "data"
  return pathlib.Path(root).expanduser()


def source_files(cfg):
  """The input files one data config reads, in reading order."""
  if cfg.format == "p5":
    folder = data_root(cfg) / cfg.name
    return [folder / "sequential_data.txt", folder / "datamaps.json", folder / "items.tsv"]
  if cfg.format == "atomic":
    folder = pathlib.Path(cfg.get("path") or atomic.recbole_example_dir(cfg.name))
    return [folder / f"{folder.name}.inter", folder / f"{folder.name}.item"]
  if cfg.format == "amazon":
    return [pathlib.Path(p).expanduser() for p in (cfg.reviews, cfg.meta) if p]
  raise ValueError(f"unknown data.format {cfg.format!r}; known: p5, atomic, amazon")


def read(cfg):
  """Reads the dataset a data config names, with no cache."""
  files = source_files(cfg)
  if cfg.format == "p5":
    return p5.read_p5(cfg.name, files[0].parent)
  if cfg.format == "atomic":
    item_file = files[1] if files[1].exists() else None
    return atomic.read_atomic(cfg.name, files[0], item_file, title_field=cfg.title_field,
                              k_core=cfg.k_core)
  if not cfg.reviews:
    raise ValueError("data.format=amazon needs data.reviews (and data.meta for titles)")
  return amazon_raw.read_amazon(cfg.name, cfg.reviews, cfg.meta or None, version=cfg.version,
                                k_core=cfg.k_core)


def cache_key(config):
  stamp = []
  for f in source_files(config.data):
    st = os.stat(f) if os.path.exists(f) else None
    stamp.append([str(f), st and st.st_size, st and st.st_mtime_ns])
  blob = json.dumps({"version": CACHE_VERSION, "data": config.data.to_dict(),
                     "cold": config.cold.to_dict(), "files": stamp}, sort_keys=True, default=str)
  return hashlib.sha256(blob.encode()).hexdigest()[:16]


def cache_path(config):
  cache_dir = pathlib.Path(config.get("cache_dir") or os.environ.get("RECJAX_CACHE_DIR")
                           or "~/.cache/recjax/data").expanduser()
  return cache_dir / f"{config.data.name}-{cache_key(config)}.npz"


def load(config, use_cache=True):
  """-> (Dataset, Split, cache hit?) for a config with .data and .cold."""
  path = cache_path(config)
  if use_cache and path.exists():
    with np.load(path, allow_pickle=False) as a:
      return Dataset.from_arrays(a), Split.from_arrays(a), True
  dataset = read(config.data)
  split = cold_start_split(dataset, fraction=config.cold.fraction, seed=config.cold.seed)
  if use_cache:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write then rename, so a killed run never leaves a half-written cache behind.
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npz", delete=False) as f:
      np.savez(f, **dataset.arrays(), **split.arrays())
    os.replace(f.name, path)
    logging.info("cached %s at %s", config.data.name, path)
  return dataset, split, False
