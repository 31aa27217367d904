"""The ("data",) device mesh and host batches as global arrays sharded over it.

Data parallelism is jax.jit over this mesh: batches sharded P("data"), parameters
replicated P(). The same code runs on one CPU, one GPU, or a multi-host job after
jax.distributed.initialize(), where each process passes only its rows.
"""
import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P


def make_mesh(devices=None):
  devices = jax.devices() if devices is None else devices
  return Mesh(np.asarray(devices), ("data",))


def check_batch_size(batch_size, mesh):
  n = mesh.devices.size
  if batch_size % n:
    raise ValueError(f"global batch size {batch_size} must divide by the number of devices ({n}): "
                     f"use a multiple of {n}, e.g. {max(n, batch_size // n * n)}")


def batch_sharding(mesh):
  return NamedSharding(mesh, P("data"))


def replicated(mesh):
  return NamedSharding(mesh, P())


def to_global(batch, mesh):
  """This process's rows of a numpy batch -> global jax arrays sharded over "data".

  On a mesh of this process's devices alone (jax.local_devices()), the rows are the
  whole batch; on a multi-process mesh every process passes its own rows.
  """
  sharding = batch_sharding(mesh)
  processes = len({d.process_index for d in mesh.devices.flat})
  out = {}
  for name, local in batch.items():
    global_shape = (local.shape[0] * processes,) + local.shape[1:]
    check_batch_size(global_shape[0], mesh)
    out[name] = jax.make_array_from_process_local_data(sharding, local, global_shape)
  return out
