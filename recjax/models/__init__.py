"""Recommenders, one file each, chosen by `config.model.name`.

Every model is a Flax Linen module with the same two methods, so losses, training
and evaluation never ask which model they have:
  encode(batch, *, train) -> q_...xD   one query per training example: the leading
      shape is batch["positive"].shape ([B, L] for SASRec, [B] for NeuMF);
  encode_users(batch) -> q_BxD         one query per user for evaluation, from
      batch["user"] and batch["inputs"] (the user's history window);
  score(q_...xD, items) -> logits      items: int[K] shared by every query, or
      int[..., K] per query.
"""
import importlib


def create(config, *, num_users, num_items):
  """The module named by config.model.name, built from the rest of config.model."""
  kwargs = dict(config.model)
  name = kwargs.pop("name")
  try:
    module = importlib.import_module(f"recjax.models.{name}")
  except ModuleNotFoundError:
    raise ValueError(f"unknown model {name!r}: no recjax/models/{name}.py") from None
  return module.Model(num_users=num_users, num_items=num_items, **kwargs)
