"""Reads a dataset, makes its cold-start split, prints statistics, caches the arrays.

  python -m launch.prepare --config=configs/data.py:beauty [--workdir=DIR]

A second call with the same config loads the cached .npz. With --workdir the
statistics (stats.json) and the config (config.json) are written there too.
"""
import json
import os

from absl import app, flags, logging
from ml_collections import config_flags

from launch import bad_input_exits
from recjax.data import load, stats

_CONFIG = config_flags.DEFINE_config_file("config", "configs/data.py", "data config file")
_WORKDIR = flags.DEFINE_string("workdir", None, "optional folder for stats.json and config.json")


def main(argv):
  del argv
  config = _CONFIG.value
  with bad_input_exits():
    dataset, split, hit = load.load(config)
  s = stats.statistics(dataset, split)
  print(stats.format_table(dataset.name, s))
  print(f"{'loaded from' if hit else 'cached at'} {load.cache_path(config)}")
  if _WORKDIR.value:
    os.makedirs(_WORKDIR.value, exist_ok=True)
    with open(os.path.join(_WORKDIR.value, "stats.json"), "w") as f:
      json.dump(s, f, indent=1)
    with open(os.path.join(_WORKDIR.value, "config.json"), "w") as f:
      f.write(config.to_json(indent=1))
    logging.info("wrote stats.json and config.json to %s", _WORKDIR.value)


if __name__ == "__main__":
  app.run(main)
