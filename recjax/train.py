"""Training: one jitted, donated train_step over a ("data",) mesh, periodic validation
with early stopping, orbax checkpoints that resume exactly, and results.json.

Reads top to bottom: state, step, loop. A resumed run sees the same batches (they
are a function of (seed, step)) and the same dropout (fold_in(key, step)).
"""
import json
import math
import os
import time

import flax
import jax
import jax.numpy as jnp
import numpy as np
import optax
import orbax.checkpoint as ocp
from absl import logging
from tqdm import tqdm

from recjax import evaluate, losses, models, parallel
from recjax.data import load
from recjax.data.pipeline import SequenceBatches, TripleBatches


@flax.struct.dataclass
class TrainState:
  step: jax.Array
  params: dict
  opt_state: optax.OptState


def make_batches(config, split):
  kw = dict(batch_size=config.batch_size, num_negatives=config.num_negatives, seed=config.seed,
            process_index=jax.process_index(), process_count=jax.process_count())
  if config.batches == "sequence":
    return SequenceBatches(split, seq_len=config.model.seq_len, **kw)
  if config.batches == "triple":
    return TripleBatches(split, **kw)
  raise ValueError(f"unknown config.batches {config.batches!r}; known: sequence, triple")


def make_optimizer(config, total_steps):
  o = config.optim
  warmup = min(o.warmup_steps, max(total_steps - 1, 0))
  if o.schedule == "cosine":
    lr = optax.warmup_cosine_decay_schedule(0.0, o.lr, warmup, max(total_steps, warmup + 1))
  elif o.schedule == "constant":
    lr = optax.join_schedules([optax.linear_schedule(0.0, o.lr, warmup), optax.constant_schedule(o.lr)],
                              [warmup])
  else:
    raise ValueError(f"unknown optim.schedule {o.schedule!r}; known: constant, cosine")
  return optax.chain(optax.clip_by_global_norm(o.grad_clip),
                     optax.adamw(lr, b1=o.b1, b2=o.b2, weight_decay=o.weight_decay))


def example_batch(batches):
  """A batch of the right shapes and dtypes, for initialization."""
  return {k: np.zeros_like(v) for k, v in batches.batch(0).items()}


def init_state(model, tx, batch, key, mesh):
  def init(key):
    # encode and score both run, so every model's parameters are created
    forward = lambda m, b: m.score(m.encode(b, train=False), b["positive"][..., None])
    params = model.init({"params": key, "dropout": key}, batch, method=forward)["params"]
    return TrainState(step=jnp.zeros((), jnp.int32), params=params, opt_state=tx.init(params))
  return jax.jit(init, out_shardings=parallel.replicated(mesh))(key)


def make_train_step(model, tx, config, candidates):
  """-> train_step(state, batch, key) -> (state, metrics), jitted and donated."""

  def loss_fn(params, batch, key):
    q = model.apply({"params": params}, batch, train=True, method="encode", rngs={"dropout": key})
    if config.loss == "ce":
      # labels are columns of the candidate set; a masked-out example points anywhere
      column = jnp.searchsorted(candidates, batch["positive"])
      logits = model.apply({"params": params}, q, candidates, method="score")
      return losses.softmax_ce(logits_xK=logits, labels=column, mask=batch["mask"])
    items = jnp.concatenate([batch["positive"][..., None], batch["negatives"]], axis=-1)
    logits = model.apply({"params": params}, q, items, method="score")
    loss = {"bpr": losses.bpr, "bce": losses.bce}.get(config.loss)
    if loss is None:
      raise ValueError(f"unknown config.loss {config.loss!r}; known: bpr, bce, ce")
    return loss(pos_logits=logits[..., 0], neg_logits_xN=logits[..., 1:], mask=batch["mask"])

  def train_step(state, batch, key):
    key = jax.random.fold_in(key, state.step)
    loss, grads = jax.value_and_grad(loss_fn)(state.params, batch, key)
    updates, opt_state = tx.update(grads, state.opt_state, state.params)
    params = optax.apply_updates(state.params, updates)
    metrics = {"loss": loss, "grad_norm": optax.tree_utils.tree_norm(grads)}
    return state.replace(step=state.step + 1, params=params, opt_state=opt_state), metrics

  return jax.jit(train_step, donate_argnums=0)


class Writer:
  """metrics.jsonl and TensorBoard event files in the workdir (process 0 only)."""

  def __init__(self, workdir):
    self.active = jax.process_index() == 0
    if self.active:
      from tensorboardX import SummaryWriter
      self.tb = SummaryWriter(os.path.join(workdir, "tensorboard"))
      self.jsonl = open(os.path.join(workdir, "metrics.jsonl"), "a")

  def write(self, step, metrics):
    if not self.active:
      return
    for k, v in metrics.items():
      self.tb.add_scalar(k.replace("@", "_at_"), v, step)  # TensorBoard tags allow no "@"
    self.jsonl.write(json.dumps({"step": int(step), **metrics}) + "\n")
    self.jsonl.flush()

  def close(self):
    if self.active:
      self.tb.close()
      self.jsonl.close()


def _checkpoint_manager(workdir):
  options = ocp.CheckpointManagerOptions(max_to_keep=2, create=True)
  return ocp.CheckpointManager(os.path.join(os.path.abspath(workdir), "checkpoints"), options=options,
                               item_names=("state", "best", "meta"))


def _fetch(metrics):
  return {k: float(v) for k, v in jax.device_get(metrics).items()}


def _check_finite(step, metrics):
  for k, v in sorted(metrics.items(), key=lambda kv: kv[0] != "loss"):  # the loss first
    if not np.isfinite(v):
      raise FloatingPointError(f"{k} is {v} at step {step}: the run is diverging (lower optim.lr?)")


def train_and_evaluate(config, workdir):
  """Trains, validates, checkpoints; ends with results.json in workdir."""
  os.makedirs(workdir, exist_ok=True)
  if jax.process_index() == 0:
    with open(os.path.join(workdir, "config.json"), "w") as f:
      f.write(config.to_json(indent=1))
  dataset, split, _ = load.load(config)
  mesh = parallel.make_mesh()
  parallel.check_batch_size(config.batch_size, mesh)
  model = models.create(config, num_users=dataset.num_users, num_items=dataset.num_items)
  batches = make_batches(config, split)
  steps_per_epoch = math.ceil(batches.steps_per_epoch)
  total_steps = config.num_epochs * steps_per_epoch
  eval_every = max(1, round(config.eval_every_epochs * steps_per_epoch))
  tx = make_optimizer(config, total_steps)
  key = jax.random.key(config.seed)
  init_key, dropout_key = jax.random.split(key)
  state = init_state(model, tx, example_batch(batches), init_key, mesh)
  candidates = jnp.asarray(split.warm_items)
  train_step = make_train_step(model, tx, config, candidates)
  evaluator = evaluate.Evaluator(model, split, seq_len=config.model.get("seq_len", 1), mesh=mesh,
                                 batch_size=config.eval_batch_size)

  # Resume: the workdir's latest checkpoint, else scratch.
  manager = _checkpoint_manager(workdir)
  meta = {"best_metric": -math.inf, "best_step": 0, "evals_since_best": 0, "stopped": False}
  best = state.params
  if manager.latest_step() is not None:
    abstract = jax.tree.map(ocp.utils.to_shape_dtype_struct, state)
    restored = manager.restore(manager.latest_step(), args=ocp.args.Composite(
        state=ocp.args.StandardRestore(abstract), best=ocp.args.StandardRestore(
            jax.tree.map(ocp.utils.to_shape_dtype_struct, state.params)),
        meta=ocp.args.JsonRestore()))
    state, best, meta = restored.state, restored.best, restored.meta
    logging.info("resumed from step %d in %s", int(state.step), workdir)

  writer = Writer(workdir)
  start = int(state.step)
  pending, started = None, time.time()
  end = start if meta["stopped"] else total_steps  # a run resumed after its early stop trains no more
  bar = tqdm(range(start, end), initial=start, total=total_steps, desc="train",
             disable=jax.process_index() != 0)
  for step in bar:
    batch = parallel.to_global(batches.batch(step), mesh)
    state, metrics = train_step(state, batch, dropout_key)
    if pending is not None:  # read step-1's metrics only now that step is dispatched
      host = _fetch(pending[1])
      _check_finite(pending[0], host)
      if pending[0] % config.log_every_steps == 0:
        writer.write(pending[0], host)
        bar.set_postfix(loss=f"{host['loss']:.4f}")
    pending = (step, metrics)
    done = step + 1
    if done % eval_every == 0 or done == total_steps:
      valid = evaluator.evaluate(state.params, "valid")
      score = valid[config.early_stopping.metric]
      if score > meta["best_metric"]:
        meta.update(best_metric=score, best_step=done, evals_since_best=0)
        best = jax.tree.map(jnp.copy, state.params)  # the next step donates state's buffers
      else:
        meta["evals_since_best"] += 1
      meta["stopped"] = meta["evals_since_best"] >= config.early_stopping.patience
      meta["data_step"] = done  # batches are a function of (seed, step): this is the data position
      writer.write(done, {**valid, "epoch": done / steps_per_epoch, "wall_s": time.time() - started})
      manager.save(done, args=ocp.args.Composite(
          state=ocp.args.StandardSave(state), best=ocp.args.StandardSave(best),
          meta=ocp.args.JsonSave(meta)))
      if meta["stopped"]:
        logging.info("early stop at step %d: no gain in %s for %d evaluations",
                     done, config.early_stopping.metric, config.early_stopping.patience)
        break
  if pending is not None:
    _check_finite(pending[0], _fetch(pending[1]))
  manager.wait_until_finished()
  writer.close()

  results = {**evaluator.evaluate(best, "valid"), **evaluator.evaluate(best, "test"),
             "best_step": meta["best_step"], "last_step": int(state.step),
             "steps_per_epoch": steps_per_epoch}
  if jax.process_index() == 0:
    with open(os.path.join(workdir, "results.json"), "w") as f:
      json.dump(results, f, indent=1, sort_keys=True)
  return results
