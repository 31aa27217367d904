"""SASRec input pipeline speed on Beauty (batch 256, L 50): host batches per second,
batches per second including the transfer to global arrays on the device mesh, and,
measured in the same run, the training steps per second that consume them (SASRec,
d 64, 2 blocks, BPR): the pipeline must be far faster than the step.

  python -m benchmarks.input_pipeline [--steps 500]
"""
import argparse
import time

import jax
import jax.numpy as jnp

from configs import sasrec
from recjax import models, parallel, train
from recjax.data import load


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
  config = sasrec.get_config(a.dataset)
  dataset, split, _ = load.load(config)
  batches = train.make_batches(config, split)
  mesh = parallel.make_mesh()
  host = rate(batches.batch, a.steps)
  on_device = rate(lambda s: jax.block_until_ready(parallel.to_global(batches.batch(s), mesh)), a.steps)
  model = models.create(config, num_users=dataset.num_users, num_items=dataset.num_items)
  tx = train.make_optimizer(config, 1000)
  state = train.init_state(model, tx, train.example_batch(batches), jax.random.key(0), mesh)
  step_fn = train.make_train_step(model, tx, config, jnp.asarray(split.warm_items))
  fixed = parallel.to_global(batches.batch(0), mesh)

  def step(s):
    nonlocal state
    state, metrics = step_fn(state, fixed, jax.random.key(1))
    jax.block_until_ready(metrics)

  steps = rate(step, max(10, a.steps // 20))
  print(f"{a.dataset}: SASRec batches (B=256, L=50), {jax.device_count()} {jax.default_backend()} device(s)")
  print(f"  host numpy batches/s          {host:10.0f}")
  print(f"  + global device arrays, /s    {on_device:10.0f}")
  print(f"  training steps/s (consumer)   {steps:10.1f}")
  print(f"  pipeline / training ratio     {on_device / steps:10.0f}x")
  print(f"  one epoch ({batches.steps_per_epoch:.1f} steps) takes {batches.steps_per_epoch / on_device * 1e3:.1f} ms of input work")
  return host, on_device, steps


if __name__ == "__main__":
  main()
