"""Labeling speed: A/B prompts per second for each model on the current backend,
against llama.cpp (llama-cpp-python, a benchmark-only dependency) on the same file and
the same prompts, in the same run. On a GPU also the model FLOP utilization.

  python -m benchmarks.label_speed smollm2-135m [qwen2.5-1.5b ...] [--prompts 64] [--batch_size 8]
"""
import argparse
import time

import jax
import numpy as np

from configs import data
from recjax.data import load
from recjax.labeler import llm, pairs
from recjax.labeler.run import model_path

PEAK_BF16 = {"H100": 989e12, "H200": 989e12}  # dense bf16 FLOP/s


def prompt_flops(config, lengths):
  """2 * parameters touched per token, plus attention scores and values."""
  c = config
  per_token = 2 * c.layers * (c.dim * (c.heads + 2 * c.kv_heads) * c.head_dim + c.heads * c.head_dim * c.dim
                              + 3 * c.dim * c.ffn_dim)
  attention = sum(2 * 2 * c.layers * c.heads * c.head_dim * n * n / 2 for n in lengths)
  return per_token * sum(lengths) + attention


def ours(model, requests, repeats=2):
  model.logprobs(requests)  # compile every bucket once
  start = time.perf_counter()
  for _ in range(repeats):
    model.logprobs(requests)
  return repeats * len(requests) / (time.perf_counter() - start)


def llama_cpp(path, requests, threads):
  from llama_cpp import Llama
  ref = Llama(model_path=path, n_ctx=1024, n_batch=1024, n_threads=threads, verbose=False)
  start = time.perf_counter()
  for r in requests:
    ref.reset()
    ref.eval(list(r.ids))
  return len(requests) / (time.perf_counter() - start)


def main():
  p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
  p.add_argument("models", nargs="+")
  p.add_argument("--prompts", type=int, default=64)
  p.add_argument("--batch_size", type=int, default=8)
  p.add_argument("--threads", type=int, default=2)
  a = p.parse_args()
  dataset, split, _ = load.load(data.get_config("beauty"))
  todo = pairs.accuracy_pairs(dataset, split, num_users=a.prompts, seed=0)
  device = jax.devices()[0]
  print(f"backend {jax.default_backend()} ({device.device_kind}), {a.prompts} Beauty A/B prompts, batch {a.batch_size}")
  for name in a.models:
    path = model_path(name)
    model = llm.LLM(path, batch_size=a.batch_size)
    requests = [model.prompts.ab([dataset.titles[i] for i in h], dataset.titles[x], dataset.titles[y])
                for h, x, y in zip(todo.histories, todo.a, todo.b)]
    lengths = [len(r.ids) for r in requests]
    mine = ours(model, requests)
    line = f"{name:14s} mean {np.mean(lengths):.0f} tokens: recjax {mine:8.1f} prompts/s"
    if jax.default_backend() == "gpu":
      peak = next((v for k, v in PEAK_BF16.items() if k in device.device_kind), None)
      flops = prompt_flops(model.config, lengths) / len(lengths) * mine
      line += f", {flops / 1e12:.1f} TFLOP/s" + (f" = {flops / peak:.1%} of bf16 peak" if peak else "")
    try:
      ref = llama_cpp(path, requests, a.threads)
      line += f" | llama.cpp {ref:8.1f} prompts/s | ratio {mine / ref:.2f}x"
    except ImportError:
      line += " | llama.cpp not installed (pip install llama-cpp-python)"
    print(line, flush=True)


if __name__ == "__main__":
  main()
