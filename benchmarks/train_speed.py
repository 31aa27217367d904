"""SASRec on Beauty (batch 256, L 50, d 64, 2 blocks, BPR) against RecBole's SASRec on
the same data and hyperparameters, measured in the same run, as ratios:

- training throughput, in target items scored per second (RecBole trains one prefix
  per target item; recjax trains every position of a user's window at once);
- time to quality: wall time (training + validation every epoch) until warm valid
  NDCG@10 first reaches --threshold;
- full-ranking evaluation of all valid users, users per second.

RecBole needs its own venv (numpy<2, pandas<3):
  python3 -m venv ~/rbenv && ~/rbenv/bin/pip install torch==2.13.0 recbole==1.2.1 'numpy<2' 'pandas<3'
  python -m benchmarks.train_speed --recbole_python ~/rbenv/bin/python [--out results.json]
"""
import argparse
import json
import math
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import jax
import jax.numpy as jnp
import numpy as np

from configs import sasrec
from recjax import evaluate, models, parallel, train
from recjax.data import load


def write_atomic(dataset, folder, name):
  """The Beauty sequences as a RecBole .inter file; timestamps keep each user's order."""
  os.makedirs(folder / name, exist_ok=True)
  with open(folder / name / f"{name}.inter", "w") as f:
    f.write("user_id:token\titem_id:token\ttimestamp:float\n")
    for u in range(dataset.num_users):
      for t, i in enumerate(dataset.sequence(u)):
        f.write(f"{u + 1}\t{i}\t{t}\n")


def run_recjax(config, threshold, max_epochs):
  dataset, split, _ = load.load(config)
  mesh = parallel.make_mesh()
  model = models.create(config, num_users=dataset.num_users, num_items=dataset.num_items)
  batches = train.make_batches(config, split)
  steps = math.ceil(batches.steps_per_epoch)
  tx = train.make_optimizer(config, steps * max_epochs)
  state = train.init_state(model, tx, train.example_batch(batches), jax.random.key(0), mesh)
  step_fn = train.make_train_step(model, tx, config, jnp.asarray(split.warm_items))
  evaluator = evaluate.Evaluator(model, split, seq_len=config.model.seq_len, mesh=mesh, batch_size=1024)
  # compile outside the clock, on a throwaway copy
  warm, _ = step_fn(jax.tree.map(jnp.copy, state), parallel.to_global(batches.batch(0), mesh), jax.random.key(1))
  evaluator.evaluate(warm.params, "valid")
  rows, step = [], 0
  for epoch in range(max_epochs):
    t0, targets, prev = time.perf_counter(), 0, None
    for _ in range(steps):
      host = batches.batch(step)
      targets += int(host["mask"].sum())
      state, metrics = step_fn(state, parallel.to_global(host, mesh), jax.random.key(1))
      if prev is not None:
        float(prev["loss"])
      prev, step = metrics, step + 1
    jax.block_until_ready(state)
    t1 = time.perf_counter()
    result = evaluator.evaluate(state.params, "valid")
    t2 = time.perf_counter()
    rows.append({"epoch": epoch + 1, "train_s": t1 - t0, "valid_s": t2 - t1, "ndcg@10": result["valid/warm/ndcg@10"],
                 "instances": targets, "valid_users": result["valid/warm/users"]})
    print("recjax ", json.dumps(rows[-1]), flush=True)
    if rows[-1]["ndcg@10"] >= threshold:
      break
  return rows


def run_recbole(python, dataset, threshold, max_epochs):
  with tempfile.TemporaryDirectory() as tmp:
    write_atomic(dataset, pathlib.Path(tmp), "beauty")
    cmd = [python, str(pathlib.Path(__file__).with_name("recbole_sasrec.py")), "--data_path", tmp,
           "--threshold", str(threshold), "--max_epochs", str(max_epochs)]
    rows = []
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True) as p:
      for line in p.stdout:
        if line.startswith("{"):
          rows.append(json.loads(line))
          print("recbole", line.strip(), flush=True)
    if p.returncode:
      raise SystemExit(f"RecBole run failed ({p.returncode})")
  return rows


def summarize(rows, threshold):
  train_s = sum(r["train_s"] for r in rows)
  reached = next((i for i, r in enumerate(rows) if r["ndcg@10"] >= threshold), None)
  return {
      "predictions_per_s": sum(r["instances"] for r in rows) / train_s,
      "time_to_quality_s": (sum(r["train_s"] + r["valid_s"] for r in rows[:reached + 1])
                            if reached is not None else math.inf),
      "epochs_to_quality": None if reached is None else reached + 1,
      "eval_users_per_s": np.median([r["valid_users"] / r["valid_s"] for r in rows]),
      "best_ndcg@10": max(r["ndcg@10"] for r in rows),
  }


def main():
  p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
  p.add_argument("--recbole_python", default=os.path.expanduser("~/rbenv/bin/python"))
  p.add_argument("--threshold", type=float, default=0.025)
  p.add_argument("--max_epochs", type=int, default=40)
  p.add_argument("--batch_sizes", default="256",
                  help="recjax batch sizes in users, comma-separated; RecBole keeps 256 instances. "
                       "A batch of 256 Beauty users holds about 1,480 target items, so 48 users ~ 256 targets")
  p.add_argument("--out", default="")
  a = p.parse_args()
  config = sasrec.get_config("beauty_standard")
  dataset, _, _ = load.load(config)
  ours = {}
  for b in [int(x) for x in a.batch_sizes.split(",")]:
    config.batch_size = b
    ours[b] = summarize(run_recjax(config, a.threshold, a.max_epochs), a.threshold)
  theirs = summarize(run_recbole(a.recbole_python, dataset, a.threshold, a.max_epochs), a.threshold)
  print(f"\nSASRec on Beauty, L=50 d=64 2 blocks BPR lr 1e-3; {jax.device_count()} {jax.default_backend()} "
        f"device(s) ({jax.devices()[0].device_kind}); threshold NDCG@10 >= {a.threshold}")
  for b, mine in ours.items():
    print(f"\nrecjax batch {b} users  vs  RecBole batch 256 instances")
    print(f"{'':26s}{'recjax':>12s}{'RecBole':>12s}{'ratio':>9s}")
    for key, better in [("predictions_per_s", "higher"), ("time_to_quality_s", "lower"),
                        ("eval_users_per_s", "higher")]:
      ratio = mine[key] / theirs[key] if better == "higher" else theirs[key] / mine[key]
      print(f"{key:26s}{mine[key]:12.1f}{theirs[key]:12.1f}{ratio:8.1f}x")
    print(f"{'epochs_to_quality':26s}{str(mine['epochs_to_quality']):>12s}{str(theirs['epochs_to_quality']):>12s}")
  if a.out:
    with open(a.out, "w") as f:
      json.dump({"recjax": ours, "recbole": theirs, "threshold": a.threshold}, f, indent=1)


if __name__ == "__main__":
  main()
