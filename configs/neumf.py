"""NeuMF: `--config=configs/neumf.py:<dataset>[,runlocal]` (ml100k, beauty, sports)."""
import ml_collections

from configs import data


def get_config(arg="ml100k"):
  dataset, *flags = arg.split(",")
  config = data.get_config(dataset)
  config.model = ml_collections.ConfigDict(dict(name="neumf", dim=64, mlp_layers=(128, 64, 32)))
  config.batches = "triple"
  config.loss = "bpr"
  config.num_negatives = 4
  config.batch_size = 1024
  config.optim = ml_collections.ConfigDict(dict(
      lr=1e-3, b1=0.9, b2=0.999, weight_decay=0.0, warmup_steps=0, schedule="constant", grad_clip=1.0))
  config.num_epochs = 50
  config.eval_every_epochs = 2
  config.eval_batch_size = 1024
  config.early_stopping = ml_collections.ConfigDict(dict(metric="valid/warm/ndcg@10", patience=5))
  config.log_every_steps = 50
  config.seed = 0
  if "runlocal" in flags:
    config.num_epochs = 6
  return config
