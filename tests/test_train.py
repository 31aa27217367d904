"""Training: 4 devices follow the 1-device curve, a killed run resumes to the same
results, results.json can be recomputed from the checkpoint, divergence stops."""
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
import orbax.checkpoint as ocp
import pytest

from configs import neumf, sasrec
from recjax import models, parallel, train
from recjax.data import load
from tests.test_evaluate import numpy_metrics

ROOT = pathlib.Path(__file__).resolve().parents[1]
TINY = {  # overrides that shrink the real ml100k configs to seconds on a CPU
    "sasrec": ["model.seq_len=20", "model.dim=16", "model.blocks=1", "batch_size=64", "num_epochs=4",
               "eval_every_epochs=1", "eval_batch_size=256", "log_every_steps=1"],
    "neumf": ["model.dim=8", "model.mlp_layers=(16, 8)", "batch_size=512", "num_epochs=2",
              "eval_every_epochs=1", "eval_batch_size=256", "log_every_steps=1"],
}


def tiny_config(name):
  config = {"sasrec": sasrec, "neumf": neumf}[name].get_config("ml100k")
  for override in TINY[name]:
    key, value = override.split("=")
    node = config
    *path, leaf = key.split(".")
    for p in path:
      node = node[p]
    node[leaf] = eval(value)  # literals from TINY only
  return config


def losses_on(mesh, config, steps=6):
  dataset, split, _ = load.load(config)
  model = models.create(config, num_users=dataset.num_users, num_items=dataset.num_items)
  batches = train.make_batches(config, split)
  tx = train.make_optimizer(config, 100)
  state = train.init_state(model, tx, train.example_batch(batches), jax.random.key(0), mesh)
  step_fn = train.make_train_step(model, tx, config, jnp.asarray(split.warm_items))
  out = []
  for s in range(steps):
    state, metrics = step_fn(state, parallel.to_global(batches.batch(s), mesh), jax.random.key(1))
    out.append(float(metrics["loss"]))
  return np.array(out)


@pytest.mark.parametrize("name", ["sasrec", "neumf"])
def test_four_devices_follow_one_device(name):
  config = tiny_config(name)
  one = losses_on(parallel.make_mesh(jax.devices()[:1]), config)
  four = losses_on(parallel.make_mesh(jax.devices()[:4]), config)
  assert len(jax.devices()) == 4
  assert one[-1] < one[0]  # it learns
  np.testing.assert_allclose(four, one, rtol=2e-5)


def launch(workdir, name="sasrec"):
  env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=4", JAX_PLATFORMS="cpu")
  cmd = [sys.executable, "-m", "launch.train", f"--config=configs/{name}.py:ml100k", f"--workdir={workdir}"]
  cmd += [f"--config.{o}" for o in TINY[name]]
  return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finished_checkpoints(workdir):
  folder = pathlib.Path(workdir) / "checkpoints"
  return sorted(int(p.name) for p in folder.glob("*") if p.name.isdigit()) if folder.exists() else []


def test_killed_run_resumes_to_the_same_results(tmp_path):
  whole = launch(tmp_path / "whole")
  killed = launch(tmp_path / "killed")
  deadline = time.time() + 300
  while not finished_checkpoints(tmp_path / "killed") and time.time() < deadline:
    time.sleep(0.05)
  killed.send_signal(signal.SIGKILL)
  killed.communicate()
  assert killed.returncode == -signal.SIGKILL
  assert not (tmp_path / "killed" / "results.json").exists()
  steps = finished_checkpoints(tmp_path / "killed")
  assert steps and steps[-1] < 4 * 15  # stopped partway (15 steps an epoch)
  resumed = launch(tmp_path / "killed")
  for p in (whole, resumed):
    _, err = p.communicate(timeout=600)
    assert p.returncode == 0, err[-3000:]
  assert "resumed from step" in err
  a = json.loads((tmp_path / "whole" / "results.json").read_text())
  b = json.loads((tmp_path / "killed" / "results.json").read_text())
  assert a == b


def test_results_recomputed_from_checkpoint(tmp_path):
  config = tiny_config("sasrec")
  config.num_epochs = 2
  results = train.train_and_evaluate(config, str(tmp_path))
  saved = json.loads((tmp_path / "results.json").read_text())
  assert saved == pytest.approx(results)
  dataset, split, _ = load.load(config)
  model = models.create(config, num_users=dataset.num_users, num_items=dataset.num_items)
  manager = ocp.CheckpointManager(tmp_path / "checkpoints", item_names=("state", "best", "meta"))
  restored = manager.restore(manager.latest_step(), args=ocp.args.Composite(
      best=ocp.args.StandardRestore(), meta=ocp.args.JsonRestore()))
  assert restored.meta["best_step"] == saved["best_step"]
  params = restored.best
  # independent of recjax.evaluate: windows and metrics rebuilt here in numpy
  users = split.warm_eval_users()
  inputs = np.zeros((len(users), 20), np.int32)
  history, targets = [], []
  for n, u in enumerate(users):
    h = np.append(split.train_sequence(u), split.warm_valid[u])
    inputs[n, 20 - len(h[-20:]):] = h[-20:]
    history.append(h)
    targets.append([split.warm_test[u]])
  width = max(len(h) for h in history)
  history = np.array([np.pad(h, (0, width - len(h))) for h in history])
  q = model.apply({"params": params}, {"inputs": jnp.asarray(inputs)}, method="encode_users")
  scores = np.asarray(model.apply({"params": params}, q, jnp.arange(split.num_items + 1), method="score"))
  warm = np.zeros(split.num_items + 1, bool)
  warm[split.warm_items] = True
  want = numpy_metrics(scores, history, np.array(targets), warm).mean(0)
  assert saved["test/warm/recall@10"] == pytest.approx(want[0], rel=1e-4, abs=1e-6)
  assert saved["test/warm/ndcg@50"] == pytest.approx(want[5], rel=1e-4, abs=1e-6)
  lines = [json.loads(l) for l in (tmp_path / "metrics.jsonl").read_text().splitlines()]
  assert any("valid/warm/ndcg@10" in l for l in lines) and any("loss" in l for l in lines)
  assert json.loads((tmp_path / "config.json").read_text())["model"]["dim"] == 16


def test_divergence_stops_with_a_clear_error(tmp_path):
  config = tiny_config("sasrec")
  config.optim.lr = float("inf")
  with pytest.raises(FloatingPointError, match=r"loss is nan at step 1"):
    train.train_and_evaluate(config, str(tmp_path))


def test_batch_size_must_divide_devices(tmp_path):
  config = tiny_config("sasrec")
  config.batch_size = 66
  with pytest.raises(ValueError, match=r"global batch size 66 must divide by the number of devices \(4\)"):
    train.train_and_evaluate(config, str(tmp_path))
