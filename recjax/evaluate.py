"""Full-ranking evaluation of PROTOCOL.md: every eligible user exactly once.

Warm: one target, candidates all warm items. Cold: all of the user's cold-valid
(cold-test) items as targets, candidates the cold-valid (cold-test) items alone
("cold") and all items ("cold_all"). The user's history is masked out. Scores,
masking and top-K run on the device, batched over users; the last batch is padded
and its padding masked. With T targets, Recall@K = hits in the top K / T and
NDCG@K = DCG@K / IDCG@K, IDCG over min(K, T) hits.
"""
import dataclasses
import functools

import jax
import jax.numpy as jnp
import numpy as np

from recjax import parallel

KS = (10, 20, 50)


@dataclasses.dataclass(frozen=True)
class EvalSet:
  """One split's eligible users, as padded numpy arrays.

  users int32[U]; inputs int32[U,L] (history window); history int32[U,H] (items to
  mask, 0-padded); targets int32[U,T] (0-padded); candidates {name: bool[I+1]}.
  """
  split: str
  users: np.ndarray
  inputs: np.ndarray
  history: np.ndarray
  targets: np.ndarray
  candidates: dict


def _pad_rows(rows, width=None):
  width = width or max([len(r) for r in rows] + [1])
  out = np.zeros((len(rows), width), dtype=np.int32)
  for n, r in enumerate(rows):
    out[n, :len(r)] = r
  return out


def _windows(histories, length):
  """Last `length` items of each history, left-padded (SASRec's input layout)."""
  out = np.zeros((len(histories), length), dtype=np.int32)
  for n, h in enumerate(histories):
    h = h[-length:]
    out[n, length - len(h):] = h
  return out


def eval_sets(split, *, which, seq_len):
  """The warm and cold EvalSets for which = "valid" or "test"."""
  warm_mask = np.zeros(split.num_items + 1, dtype=bool)
  warm_mask[split.warm_items] = True
  all_mask = np.ones(split.num_items + 1, dtype=bool)
  all_mask[0] = False
  cold_items = split.cold_valid_items if which == "valid" else split.cold_test_items
  cold_mask = np.zeros(split.num_items + 1, dtype=bool)
  cold_mask[cold_items] = True
  out = []

  users = split.warm_eval_users()
  if len(users):
    hist = [split.train_sequence(u) for u in users]
    if which == "test":  # the valid item joins the history for the test
      hist = [np.append(h, split.warm_valid[u]) for h, u in zip(hist, users)]
    target = (split.warm_valid if which == "valid" else split.warm_test)[users][:, None]
    out.append(EvalSet(which, users.astype(np.int32), _windows(hist, seq_len), _pad_rows(hist),
                       target.astype(np.int32), {"warm": warm_mask}))

  users = split.cold_eval_users(which)
  if len(users) and len(cold_items):
    hist = [split.train_sequence(u) for u in users]
    targets = [split.cold_targets(which, u) for u in users]
    out.append(EvalSet(which, users.astype(np.int32), _windows(hist, seq_len), _pad_rows(hist),
                       _pad_rows(targets), {"cold": cold_mask, "cold_all": all_mask}))
  return out


def metric_sums(scores_BxI, history_BxH, targets_BxT, candidates_CxI, user_mask_B):
  """-> float32[C, 2*len(KS)]: per candidate set, the sums over users of
  Recall@K then NDCG@K for K in KS. Pure and jittable; item 0 is never a candidate."""
  batch = scores_BxI.shape[0]
  scores = scores_BxI.at[jnp.arange(batch)[:, None], history_BxH].set(-jnp.inf)
  scores = scores.at[:, 0].set(-jnp.inf)
  valid_T = targets_BxT > 0
  n_targets = jnp.maximum(valid_T.sum(-1), 1).astype(jnp.float32)
  discount = 1.0 / jnp.log2(jnp.arange(max(KS)) + 2.0)
  out = []
  for c in range(candidates_CxI.shape[0]):
    masked = jnp.where(candidates_CxI[c][None, :], scores, -jnp.inf)
    _, top_BxK = jax.lax.top_k(masked, max(KS))
    hit_BxK = jnp.any((top_BxK[:, :, None] == targets_BxT[:, None, :]) & valid_T[:, None, :], axis=-1)
    hit_BxK = hit_BxK.astype(jnp.float32)
    recalls, ndcgs = [], []
    for k in KS:
      ideal = jnp.cumsum(discount[:k])[jnp.minimum(n_targets, k).astype(jnp.int32) - 1]
      recalls.append(jnp.sum(hit_BxK[:, :k], -1) / n_targets)
      ndcgs.append(jnp.sum(hit_BxK[:, :k] * discount[None, :k], -1) / ideal)
    per_user = jnp.stack(recalls + ndcgs, axis=-1)
    out.append(jnp.sum(per_user * user_mask_B[:, None], axis=0))
  return jnp.stack(out)


def window_bucket(length, seq_len):
  """The input width for a batch whose longest history window is `length`: a power
  of two of at least 8, at most seq_len, so that few shapes are compiled."""
  width = 8
  while width < length:
    width *= 2
  return min(width, seq_len)


def metric_names():
  return [f"recall@{k}" for k in KS] + [f"ndcg@{k}" for k in KS]


class Evaluator:
  """Evaluates any model of recjax.models on a split's valid or test EvalSets."""

  def __init__(self, model, split, *, seq_len, mesh, batch_size=1024):
    parallel.check_batch_size(batch_size, mesh)
    self.model, self.mesh, self.batch_size = model, mesh, batch_size
    self.sets = {w: eval_sets(split, which=w, seq_len=seq_len) for w in ("valid", "test")}
    self.all_items = jnp.arange(split.num_items + 1)
    # this process's rows of every global eval batch
    self.share = slice(jax.process_index() * batch_size // jax.process_count(),
                       (jax.process_index() + 1) * batch_size // jax.process_count())

  @functools.partial(jax.jit, static_argnums=0)
  def _sums(self, params, batch, candidates_CxI):
    q_BxD = self.model.apply({"params": params}, batch, method="encode_users")
    scores = self.model.apply({"params": params}, q_BxD, self.all_items, method="score")
    return metric_sums(scores, batch["history"], batch["targets"], candidates_CxI, batch["user_mask"])

  def evaluate(self, params, which):
    """-> {f"{which}/{candidates}/{metric}@{k}": mean over the eligible users}."""
    results = {}
    for s in self.sets[which]:
      names = list(s.candidates)
      candidates = jax.device_put(np.stack([s.candidates[n] for n in names]), parallel.replicated(self.mesh))
      total = np.zeros((len(names), 2 * len(KS)))
      n = len(s.users)
      # Users in order of window length, so most batches need only a short window
      # (SASRec's histories are mostly short; the rest of the width is padding).
      window = (s.inputs > 0).sum(axis=1)
      order = np.argsort(window, kind="stable")
      for start in range(0, n, self.batch_size):
        rows = order[start:start + self.batch_size]
        real = np.arange(self.batch_size) < len(rows)
        rows = np.pad(rows, (0, self.batch_size - len(rows)), constant_values=rows[0])  # masked padding
        width = window_bucket(window[rows].max(), s.inputs.shape[1])
        batch = dict(user=s.users[rows], inputs=s.inputs[rows][:, -width:], history=s.history[rows],
                     targets=s.targets[rows], user_mask=real.astype(np.float32))
        batch = parallel.to_global({k: v[self.share] for k, v in batch.items()}, self.mesh)
        total += np.asarray(jax.device_get(self._sums(params, batch, candidates)))
      for c, cand in enumerate(names):
        for m, metric in enumerate(metric_names()):
          results[f"{which}/{cand}/{metric}"] = float(total[c, m] / n)
      results[f"{which}/{names[0]}/users"] = n
    return results
