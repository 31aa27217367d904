"""Trains a recommender: python -m launch.train --config=configs/sasrec.py:beauty --workdir=DIR

Hyperparameters live in the config only (override with --config.optim.lr=3e-4).
On a multi-host job, pass --distributed to call jax.distributed.initialize() first.
"""
from absl import app, flags
from ml_collections import config_flags

_CONFIG = config_flags.DEFINE_config_file("config", "configs/sasrec.py:ml100k,runlocal", "training config")
_WORKDIR = flags.DEFINE_string("workdir", None, "where checkpoints, metrics and results go", required=True)
_DISTRIBUTED = flags.DEFINE_bool("distributed", False, "call jax.distributed.initialize() first")


def main(argv):
  del argv
  import jax
  if _DISTRIBUTED.value:
    jax.distributed.initialize()
  from launch import bad_input_exits
  from recjax import train
  with bad_input_exits():
    results = train.train_and_evaluate(_CONFIG.value, _WORKDIR.value)
  if jax.process_index() == 0:
    keys = [k for k in sorted(results) if k.endswith(("recall@50", "ndcg@10"))]
    for k in keys:
      print(f"{k:32s} {results[k]:.4f}")


if __name__ == "__main__":
  app.run(main)
