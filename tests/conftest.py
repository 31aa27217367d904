"""Test session setup: 4 simulated CPU devices, silent broadcasts are errors."""
import os
import pathlib
import tempfile

import jax
import pytest

# Must run before any jax computation creates the backend.
jax.config.update("jax_num_cpu_devices", 4)
jax.config.update("jax_numpy_rank_promotion", "raise")
# Preprocessed-data cache of this test session, never the user's ~/.cache.
os.environ["RECJAX_CACHE_DIR"] = tempfile.mkdtemp(prefix="recjax-test-cache-")

SHARED_DATA = pathlib.Path(os.environ.get(
    "RECJAX_DATA_DIR", pathlib.Path(__file__).resolve().parents[1].parent / "shared" / "data"))


def load_named(name, **cold):
  """(Dataset, Split) of a named data config, through the real loader and cache."""
  from configs import data
  from recjax.data import load
  if name != "ml100k" and not SHARED_DATA.is_dir():
    pytest.skip(f"real datasets not found at {SHARED_DATA} (set RECJAX_DATA_DIR)")
  config = data.get_config(name)
  config.cold.update(cold)
  dataset, split, _ = load.load(config)
  return dataset, split


@pytest.fixture(scope="session")
def beauty():
  return load_named("beauty")


@pytest.fixture(scope="session")
def ml100k():
  return load_named("ml100k")


@pytest.fixture(scope="session")
def shared_data():
  if not SHARED_DATA.is_dir():
    pytest.skip(f"real datasets not found at {SHARED_DATA} (set RECJAX_DATA_DIR)")
  return SHARED_DATA
