"""Labeling: `--config=configs/label.py:<dataset>[,model=<name>][,mode=ab|likelihood][,kind=llm|tfidf|coin][,task=pairs|accuracy]`.

model: smollm2-135m (default), gemma3-270m, qwen2.5-0.5b, qwen2.5-1.5b, or a .gguf path.
"""
import ml_collections

from configs import data


def get_config(arg="ml100k"):
  dataset, *options = arg.split(",")
  options = dict(o.split("=", 1) for o in options)
  config = data.get_config(dataset)
  config.task = options.pop("task", "pairs")
  config.labeler = ml_collections.ConfigDict(dict(
      kind=options.pop("kind", "llm"), model=options.pop("model", "smollm2-135m"),
      mode=options.pop("mode", "ab"), model_dir="", batch_size=8))
  config.aug = ml_collections.ConfigDict(dict(
      num_users=0, pairs_per_user=1, history_len=10, strategy="random", seed=0, min_margin=0.0))
  config.accuracy = ml_collections.ConfigDict(dict(num_users=1000, seed=0))
  config.shard_size = 512
  if options:
    raise ValueError(f"unknown options {sorted(options)} in {arg!r}")
  return config
