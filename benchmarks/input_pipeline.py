"""SASRec input pipeline speed on Beauty (batch 256, L 50): host batches per second,
and batches per second including the transfer to global arrays on the device mesh.

  python -m benchmarks.input_pipeline [--steps 500]
"""
import argparse
import time

import jax

from configs import data
from recjax import parallel
from recjax.data import load
from recjax.data.pipeline import SequenceBatches


def rate(fn, steps):
  fn(0)  # warm-up
  start = time.perf_counter()
  for s in range(1, steps + 1):
    fn(s)
  return steps / (time.perf_counter() - start)


def main():
  p = argparse.ArgumentParser(description=__doc__)
  p.add_argument("--steps", type=int, default=500)
  p.add_argument("--dataset", default="beauty")
  a = p.parse_args()
  _, split, _ = load.load(data.get_config(a.dataset))
  batches = SequenceBatches(split, seq_len=50, batch_size=256, num_negatives=1, seed=0)
  mesh = parallel.make_mesh()
  host = rate(batches.batch, a.steps)
  on_device = rate(lambda s: jax.block_until_ready(parallel.to_global(batches.batch(s), mesh)), a.steps)
  print(f"{a.dataset}: SASRec batches (B=256, L=50), {jax.device_count()} {jax.default_backend()} device(s)")
  print(f"  host numpy batches/s          {host:10.0f}")
  print(f"  + global device arrays, /s    {on_device:10.0f}")
  print(f"  one epoch ({batches.steps_per_epoch:.1f} steps) takes {batches.steps_per_epoch / on_device * 1e3:.1f} ms of input work")
  return host, on_device


if __name__ == "__main__":
  main()
