"""SASRec: `--config=configs/sasrec.py:<dataset>[,runlocal]`.

Datasets: ml100k, beauty, sports; `beauty_standard` is Beauty without a cold split
(plain leave-one-out over all items), to compare with published full-ranking numbers.
`runlocal` shrinks the run to about a minute on a laptop CPU.
"""
import ml_collections

from configs import data


def get_config(arg="ml100k"):
  dataset, *flags = arg.split(",")
  standard = dataset.endswith("_standard")
  config = data.get_config(dataset.removesuffix("_standard"))
  if standard:
    config.cold.fraction = 0.0
  config.model = ml_collections.ConfigDict(dict(
      name="sasrec", seq_len=50, dim=64, blocks=2, heads=1, dropout=0.2, pre_norm=True))
  config.batches = "sequence"
  config.loss = "bpr"            # bpr | bce | ce (full softmax over warm items)
  config.num_negatives = 1
  config.batch_size = 256
  config.optim = ml_collections.ConfigDict(dict(
      lr=1e-3, b1=0.9, b2=0.98, weight_decay=0.0, warmup_steps=100, schedule="constant", grad_clip=1.0))
  config.num_epochs = 200
  config.eval_every_epochs = 5
  config.eval_batch_size = 1024
  config.early_stopping = ml_collections.ConfigDict(dict(metric="valid/warm/ndcg@10", patience=5))
  config.log_every_steps = 50
  config.seed = 0
  if dataset == "ml100k":
    config.model.seq_len = 200
    config.batch_size = 128
  if "runlocal" in flags:
    config.num_epochs = 20
    config.eval_every_epochs = 5
    config.model.blocks = 1
  return config
