"""Runs prompt Requests through the decoder: length buckets, one jitted function per
bucket, batches sharded over the ("data",) mesh, bfloat16 on accelerators.

Both labeling modes reduce to one question, log p(target token | prefix), asked at a
few positions per prompt; only those positions are projected to the vocabulary.
"""
import jax
import jax.numpy as jnp
import numpy as np

from recjax import parallel
from recjax.labeler import decoder, gguf_file, prompts, tokenizer

BUCKETS = (128, 256, 384, 512, 768, 1024)


class LLM:
  def __init__(self, path, *, mesh=None, batch_size=8, dtype=None, buckets=BUCKETS):
    # Each process labels its own users, so the model runs on this process's devices.
    self.mesh = mesh or parallel.make_mesh(jax.local_devices())
    parallel.check_batch_size(batch_size, self.mesh)
    if dtype is None:
      dtype = jnp.float32 if jax.default_backend() == "cpu" else jnp.bfloat16
    self.config, params, vocab = gguf_file.load(path)
    self.tokenizer = tokenizer.Tokenizer(vocab, path)
    self.model = decoder.Decoder(self.config, dtype=dtype)
    self.params = jax.device_put(jax.tree.map(lambda x: jnp.asarray(x, dtype), params),
                                 parallel.replicated(self.mesh))
    self.batch_size, self.buckets, self.path = batch_size, buckets, path
    self.prompts = prompts.PromptBuilder(self.tokenizer, max_tokens=buckets[-1])
    self._run = jax.jit(self._logprobs)

  def _logprobs(self, params, tokens_BxT, positions_BxK, targets_BxK):
    h_BxTxD = self.model.apply({"params": params}, tokens_BxT)
    h_BxKxD = jnp.take_along_axis(h_BxTxD, positions_BxK[..., None], axis=1)
    logits = self.model.apply({"params": params}, h_BxKxD, method="logits")
    logp = jax.nn.log_softmax(logits, axis=-1)
    return jnp.take_along_axis(logp, targets_BxK[..., None], axis=-1)[..., 0]

  def bucket(self, length):
    for b in self.buckets:
      if length <= b:
        return b
    raise ValueError(f"a prompt of {length} tokens exceeds the largest bucket ({self.buckets[-1]})")

  def logprobs(self, requests, progress=None):
    """-> one float array per request: log p of each of its targets."""
    out = [None] * len(requests)
    width = max(len(r.targets) for r in requests)
    order = sorted(range(len(requests)), key=lambda i: len(requests[i].ids))
    for start in range(0, len(order), self.batch_size):
      chunk = order[start:start + self.batch_size]
      length = self.bucket(max(len(requests[i].ids) for i in chunk))
      tokens = np.zeros((self.batch_size, length), np.int32)
      positions = np.zeros((self.batch_size, width), np.int32)
      targets = np.zeros((self.batch_size, width), np.int32)
      for row, i in enumerate(chunk):
        r = requests[i]
        tokens[row, :len(r.ids)] = r.ids
        positions[row, :len(r.positions)] = r.positions
        targets[row, :len(r.targets)] = r.targets
      batch = parallel.to_global({"t": tokens, "p": positions, "y": targets}, self.mesh)
      logp = np.asarray(jax.device_get(self._run(self.params, batch["t"], batch["p"], batch["y"])))
      for row, i in enumerate(chunk):
        out[i] = logp[row, :len(requests[i].targets)]
      if progress is not None:
        progress.update(len(chunk))
    return out
