"""Labels cold pairs with an LLM (or a cheap labeler), or measures labeler accuracy.

  python -m launch.label --config=configs/label.py:beauty,model=smollm2-135m --workdir=DIR
  python -m launch.label --config=configs/label.py:beauty,model=qwen2.5-1.5b,mode=likelihood,task=accuracy --workdir=DIR

A killed labeling job restarted on its workdir finishes the missing shards only.
"""
import json
import os

from absl import app, flags
from ml_collections import config_flags

_CONFIG = config_flags.DEFINE_config_file("config", "configs/label.py:ml100k", "labeling config")
_WORKDIR = flags.DEFINE_string("workdir", None, "where label shards or accuracy.json go", required=True)
_DISTRIBUTED = flags.DEFINE_bool("distributed", False, "call jax.distributed.initialize() first")


def main(argv):
  del argv
  import jax
  if _DISTRIBUTED.value:
    jax.distributed.initialize()
  from launch import bad_input_exits
  from recjax.labeler import run
  config = _CONFIG.value
  os.makedirs(_WORKDIR.value, exist_ok=True)
  with open(os.path.join(_WORKDIR.value, "config.json"), "w") as f:
    f.write(config.to_json(indent=1))
  with bad_input_exits():
    if config.task == "accuracy":
      result = run.measure_accuracy(config, _WORKDIR.value)
      print(json.dumps({k: v for k, v in result.items() if k != "confidence"}))
    elif config.task == "pairs":
      paths = run.label_pairs(config, _WORKDIR.value)
      print(f"{len(paths)} label shards in {_WORKDIR.value}")
    else:
      raise SystemExit(f"error: unknown task {config.task!r}; known: pairs, accuracy")


if __name__ == "__main__":
  app.run(main)
