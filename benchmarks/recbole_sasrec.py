"""RecBole's SASRec on an atomic dataset, timed epoch by epoch (run by train_speed.py
inside its own venv: torch==2.13.0 CPU, recbole==1.2.1, numpy<2, pandas<3).

Prints one JSON line per epoch: train seconds, valid seconds, valid NDCG@10, and the
number of training instances. Stops once NDCG@10 reaches --threshold.
"""
import argparse
import json
import time

from recbole.config import Config
from recbole.data import create_dataset, data_preparation
from recbole.model.sequential_recommender import SASRec
from recbole.trainer import Trainer
from recbole.utils import init_seed


def main():
  p = argparse.ArgumentParser()
  p.add_argument("--data_path", required=True)
  p.add_argument("--dataset", default="beauty")
  p.add_argument("--threshold", type=float, required=True)
  p.add_argument("--max_epochs", type=int, default=30)
  p.add_argument("--threads", type=int, default=2)
  a = p.parse_args()
  import torch
  torch.set_num_threads(a.threads)
  config = Config(model="SASRec", dataset=a.dataset, config_dict={
      "data_path": a.data_path, "load_col": {"inter": ["user_id", "item_id", "timestamp"]},
      "user_inter_num_interval": "[0,inf)", "item_inter_num_interval": "[0,inf)",
      "MAX_ITEM_LIST_LENGTH": 50, "hidden_size": 64, "inner_size": 64, "n_layers": 2, "n_heads": 1,
      "hidden_dropout_prob": 0.2, "attn_dropout_prob": 0.2, "hidden_act": "relu",
      "loss_type": "BPR", "train_neg_sample_args": {"distribution": "uniform", "sample_num": 1},
      "train_batch_size": 256, "eval_batch_size": 4096, "learning_rate": 1e-3, "epochs": a.max_epochs,
      "eval_args": {"split": {"LS": "valid_and_test"}, "order": "TO", "mode": "full", "group_by": "user"},
      "metrics": ["NDCG", "Recall"], "topk": [10], "valid_metric": "NDCG@10",
      "device": "cpu", "use_gpu": False, "seed": 0, "reproducibility": True, "show_progress": False,
      "checkpoint_dir": a.data_path + "/saved", "state": "WARNING"})
  init_seed(config["seed"], config["reproducibility"])
  dataset = create_dataset(config)
  train_data, valid_data, _ = data_preparation(config, dataset)
  model = SASRec(config, train_data.dataset).to(config["device"])
  trainer = Trainer(config, model)
  instances = len(train_data.dataset)
  for epoch in range(a.max_epochs):
    t0 = time.perf_counter()
    trainer._train_epoch(train_data, epoch, show_progress=False)
    t1 = time.perf_counter()
    _, result = trainer._valid_epoch(valid_data, show_progress=False)
    t2 = time.perf_counter()
    ndcg = float(result["ndcg@10"])
    print(json.dumps({"epoch": epoch + 1, "train_s": t1 - t0, "valid_s": t2 - t1, "ndcg@10": ndcg,
                      "instances": instances, "valid_users": len(valid_data.dataset.inter_feat)}), flush=True)
    if ndcg >= a.threshold:
      break


if __name__ == "__main__":
  main()
