"""Data and cold-split settings: `--config=configs/data.py:<name>`.

Names: ml100k (the embedded default), beauty, sports, and amazon2014 / amazon2018
for raw review dumps, e.g.
  --config=configs/data.py:amazon2014 --config.data.reviews=reviews_Beauty_5.json.gz
      --config.data.meta=meta_Beauty.json.gz
"""
import ml_collections

PRESETS = {
    "ml100k": dict(name="ml-100k", format="atomic"),
    "beauty": dict(name="amazon2014-beauty", format="p5"),
    "sports": dict(name="amazon2014-sports", format="p5"),
    "amazon2014": dict(name="amazon2014-raw", format="amazon", version=2014, k_core=5),
    "amazon2018": dict(name="amazon2018-raw", format="amazon", version=2018, k_core=5),
}


def data_config(name):
  if name not in PRESETS:
    raise ValueError(f"unknown dataset {name!r}; known: {sorted(PRESETS)}")
  c = ml_collections.ConfigDict()
  c.name = ""
  c.format = ""
  c.root = ""          # p5: folder holding <name>/; "" = $RECJAX_DATA_DIR or ../shared/data
  c.path = ""          # atomic: folder with <x>.inter/<x>.item; "" = the recbole wheel's copy
  c.title_field = "movie_title"
  c.reviews = ""       # amazon: reviews file (.json or .json.gz)
  c.meta = ""          # amazon: metadata file, for titles
  c.version = 2014
  c.k_core = 0
  c.update(PRESETS[name])
  return c


def cold_config():
  return ml_collections.ConfigDict(dict(fraction=0.2, seed=0))


def get_config(arg="ml100k"):
  config = ml_collections.ConfigDict()
  config.data = data_config(arg)
  config.cold = cold_config()
  config.cache_dir = ""  # "" = $RECJAX_CACHE_DIR or ~/.cache/recjax/data
  return config
