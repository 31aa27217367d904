"""Labeling jobs: cold pairs for augmentation (resumable .npz shards) and labeler
accuracy on warm users. Called by launch/label.py.

Shards hold rows [k*S, (k+1)*S) of a pair list drawn up front from the seed, so a
restarted job skips the shards already written and ends with exactly the labels of
an uninterrupted one; in a multi-process job process p writes shards k = p mod P.
"""
import json
import os
import pathlib

import jax
import numpy as np
from absl import logging
from tqdm import tqdm

from recjax.data import load
from recjax.labeler import labelers, pairs

# Names of fetch_models.py (../shared/models) -> the file it writes.
MODEL_FILES = {
    "smollm2-135m": "smollm2-135m-instruct-q4_1.gguf",
    "gemma3-270m": "gemma-3-270m-q4_k_m.gguf",
    "qwen2.5-0.5b": "qwen2.5-coder-0.5b-instruct.gguf",
    "qwen2.5-1.5b": "qwen2.5-coder-1.5b-instruct.gguf",
}


def model_path(name, model_dir=""):
  folder = pathlib.Path(model_dir or os.environ.get("RECJAX_MODEL_DIR") or "~/.cache/recjax/models").expanduser()
  if name.endswith(".gguf"):
    return str(pathlib.Path(name).expanduser())
  if name not in MODEL_FILES:
    raise ValueError(f"unknown model {name!r}; known: {sorted(MODEL_FILES)} or a path to a .gguf file")
  return str(folder / MODEL_FILES[name])


def make_labeler(config, dataset):
  c = config.labeler
  if c.kind == "tfidf":
    return labelers.TfidfLabeler(dataset.titles)
  if c.kind == "coin":
    return labelers.CoinLabeler(config.aug.seed)
  if c.kind == "llm":
    from recjax.labeler import llm
    model = llm.LLM(model_path(c.model, c.model_dir), batch_size=c.batch_size)
    return labelers.LLMLabeler(model, dataset.titles, c.mode)
  raise ValueError(f"unknown labeler.kind {c.kind!r}; known: llm, tfidf, coin")


def _save(path, **arrays):
  tmp = path.with_name(f".{path.name}.partial")
  with open(tmp, "wb") as f:
    np.savez(f, **arrays)
  os.replace(tmp, path)  # a killed job leaves no half-written shard behind


def label_pairs(config, workdir):
  """Writes labels-KKKKK-of-NNNNN.npz shards; returns their paths."""
  workdir = pathlib.Path(workdir)
  workdir.mkdir(parents=True, exist_ok=True)
  dataset, split, _ = load.load(config)
  a = config.aug
  similarity = labelers.TfidfLabeler(dataset.titles) if a.strategy == "similar" else None
  todo = pairs.augmentation_pairs(dataset, split, num_users=a.num_users, pairs_per_user=a.pairs_per_user,
                                  history_len=a.history_len, strategy=a.strategy, seed=a.seed,
                                  similarity=similarity)
  size = config.shard_size
  count = -(-len(todo.users) // size)
  paths = [workdir / f"labels-{k:05d}-of-{count:05d}.npz" for k in range(count)]
  mine = [k for k in range(count) if k % jax.process_count() == jax.process_index() and not paths[k].exists()]
  logging.info("%d pairs in %d shards; %d left for this process", len(todo.users), count, len(mine))
  if mine:
    labeler = make_labeler(config, dataset)
    with tqdm(unit="prompt", desc="label") as bar:
      for k in mine:
        rows = slice(k * size, (k + 1) * size)
        bar.total = bar.n + labeler.num_prompts(todo.a[rows], todo.b[rows])  # grows shard by shard
        bar.refresh()
        m = labeler.margins(todo.histories[rows], todo.a[rows], todo.b[rows], progress=bar)
        _save(paths[k], user=todo.users[rows], item_a=todo.a[rows], item_b=todo.b[rows],
              margin_a=m["margin_a"], margin_b=m["margin_b"], margin=m["margin"],
              label=(m["margin"] > 0).astype(np.int8))
  return paths


def load_labels(workdir, min_margin=0.0):
  """All shards of a finished labeling job, as (user, preferred, other) with |margin| >=
  min_margin; raises if a shard is missing."""
  paths = sorted(pathlib.Path(workdir).glob("labels-*-of-*.npz"))
  if not paths:
    raise FileNotFoundError(f"{workdir}: no labels-*.npz shards")
  count = int(paths[0].stem.split("-of-")[1])
  if len(paths) != count:
    raise FileNotFoundError(f"{workdir}: {len(paths)} of {count} label shards; rerun the labeling job to finish")
  parts = [np.load(p) for p in paths]
  cat = {k: np.concatenate([p[k] for p in parts]) for k in parts[0].files}
  keep = np.abs(cat["margin"]) >= min_margin
  a_wins = cat["margin"] > 0
  return {"user": cat["user"][keep],
          "preferred": np.where(a_wins, cat["item_a"], cat["item_b"])[keep],
          "other": np.where(a_wins, cat["item_b"], cat["item_a"])[keep],
          "margin": np.abs(cat["margin"])[keep]}


def measure_accuracy(config, workdir):
  """Labeler accuracy on warm users (true test item vs a random unseen warm item)."""
  workdir = pathlib.Path(workdir)
  workdir.mkdir(parents=True, exist_ok=True)
  dataset, split, _ = load.load(config)
  todo = pairs.accuracy_pairs(dataset, split, num_users=config.accuracy.num_users,
                              history_len=config.aug.history_len, seed=config.accuracy.seed)
  labeler = make_labeler(config, dataset)
  with tqdm(total=labeler.num_prompts(todo.a, todo.b), unit="prompt", desc="accuracy") as bar:
    m = labeler.margins(todo.histories, todo.a, todo.b, progress=bar)
  result = {"labeler": labeler.name, "model": config.labeler.model if config.labeler.kind == "llm" else "",
            "dataset": config.data.name, **pairs.accuracy(m["margin"]),
            "confidence": pairs.confidence_curve(m["margin"])}
  np.savez(workdir / "accuracy_margins.npz", user=todo.users, true=todo.a, other=todo.b, **m)
  with open(workdir / "accuracy.json", "w") as f:
    json.dump(result, f, indent=1)
  return result
