"""Numpy batch iterators: SASRec sequence windows and NeuMF (user, pos, negs) triples.

A batch is a pure function of (seed, step): examples come from an endless stream of
per-epoch permutations, permutation e drawn from Generator([seed, e]), and step s
takes stream positions [s*B, (s+1)*B). Nothing is dropped at an epoch's end, and a
run resumed at step s sees exactly the batches an uninterrupted one would. In a
multi-process job each process builds only its rows of the global batch.
"""
import numpy as np

# Key paths under (seed, step): negatives are independent of the example order.
_NEGATIVE_STREAM, _REDRAW_STREAM = 1, 2


class _Batches:
  """The (seed, step) -> example indices contract shared by both iterators."""

  def __init__(self, num_examples, batch_size, seed, process_index, process_count):
    if num_examples == 0:
      raise ValueError("no training examples: every user's training sequence is too short")
    if batch_size % process_count:
      raise ValueError(f"batch size {batch_size} must divide by the process count {process_count}")
    self.num_examples, self.batch_size, self.seed = num_examples, batch_size, seed
    self.local_batch = batch_size // process_count
    self.local_rows = slice(process_index * self.local_batch, (process_index + 1) * self.local_batch)
    self._permutations = {}  # the last two epochs': a batch spans at most two

  @property
  def steps_per_epoch(self):
    return self.num_examples / self.batch_size

  def _permutation(self, epoch):
    if epoch not in self._permutations:
      if len(self._permutations) >= 2:
        del self._permutations[min(self._permutations)]
      self._permutations[epoch] = np.random.default_rng([self.seed, epoch]).permutation(self.num_examples)
    return self._permutations[epoch]

  def example_indices(self, step):
    """This process's example indices for a global step."""
    position = step * self.batch_size + np.arange(self.batch_size, dtype=np.int64)[self.local_rows]
    epoch, index = np.divmod(position, self.num_examples)
    out = np.empty_like(index)
    for e in np.unique(epoch):
      at = epoch == e
      out[at] = self._permutation(int(e))[index[at]]
    return out

  def negative_rng(self, step):
    return np.random.default_rng([self.seed, step, _NEGATIVE_STREAM])

  def __iter__(self):
    return self.iterate(0)

  def iterate(self, start_step):
    step = start_step
    while True:
      yield self.batch(step)
      step += 1


class SequenceBatches(_Batches):
  """SASRec windows: each user's last seq_len+1 training items, left-padded.

  batch: user int32[B], inputs int32[B,L], positive int32[B,L] (the next item),
  negatives int32[B,L,N] (warm, never the positive), mask bool[B,L] (positive valid).
  Users with fewer than two training items have no next-item target and are skipped.
  """

  def __init__(self, split, *, seq_len, batch_size, num_negatives=1, seed=0,
               process_index=0, process_count=1):
    self.split, self.seq_len, self.num_negatives = split, seq_len, num_negatives
    self.users = np.flatnonzero(split.train_lengths >= 2).astype(np.int32)
    self.warm_items = split.warm_items
    # rank of each item among warm items; padding (0) and cold items rank past the end
    self.warm_rank = np.full(split.num_items + 1, len(self.warm_items), dtype=np.int64)
    self.warm_rank[self.warm_items] = np.arange(len(self.warm_items))
    super().__init__(len(self.users), batch_size, seed, process_index, process_count)

  def windows(self, users, length):
    """int32[len(users), length]: each user's last `length` training items, left-padded."""
    start = self.split.train_offsets[users][:, None]
    end = self.split.train_offsets[users + 1][:, None]
    pos = end - length + np.arange(length)
    return np.where(pos >= start, self.split.train_items[np.maximum(pos, 0)], 0).astype(np.int32)

  def batch(self, step):
    users = self.users[self.example_indices(step)]
    window = self.windows(users, self.seq_len + 1)
    inputs, targets = window[:, :-1], window[:, 1:]
    mask = inputs != 0  # left padding: a real input always has a real next item
    # Uniform over warm items other than the target, without rejection: draw a rank
    # among n-1 and step over the target's rank. Drawn for the whole global batch so
    # that every process count yields the same global batch.
    draw = self.negative_rng(step).integers(
        0, len(self.warm_items) - 1, size=(self.batch_size, self.seq_len, self.num_negatives))
    draw = draw[self.local_rows]
    draw += draw >= self.warm_rank[targets][:, :, None]
    return dict(user=users, inputs=inputs, positive=np.where(mask, targets, 0),
                negatives=self.warm_items[draw], mask=mask)


class TripleBatches(_Batches):
  """NeuMF triples: every training interaction once per epoch, negatives warm and
  outside the user's training items.

  batch: user int32[B], positive int32[B], negatives int32[B,N], mask bool[B].
  """

  def __init__(self, split, *, batch_size, num_negatives=1, seed=0,
               process_index=0, process_count=1):
    self.split, self.num_negatives = split, num_negatives
    self.user_of = np.repeat(np.arange(split.num_users, dtype=np.int32), split.train_lengths)
    self.warm_items = split.warm_items
    self.stride = np.int64(split.num_items + 1)
    self.seen = np.sort(self.user_of.astype(np.int64) * self.stride + split.train_items)
    if len(self.user_of) and split.train_lengths.max() >= len(self.warm_items):
      raise ValueError("a user has seen every warm item: no negative can be drawn")
    super().__init__(len(self.user_of), batch_size, seed, process_index, process_count)

  def has_seen(self, users, items):
    key = users.astype(np.int64) * self.stride + items
    at = np.minimum(np.searchsorted(self.seen, key), len(self.seen) - 1)
    return self.seen[at] == key

  def batch(self, step):
    rows = self.example_indices(step)
    users = self.user_of[rows]
    draw = self.negative_rng(step).integers(0, len(self.warm_items),
                                            size=(self.batch_size, self.num_negatives))
    negatives = self.warm_items[draw[self.local_rows]]
    # Rows that drew a seen item redraw from a generator of their own global row, so
    # the result does not depend on how the batch is split over processes.
    for row in np.flatnonzero(self.has_seen(users[:, None], negatives).any(axis=1)):
      global_row = self.local_rows.start + row
      rng = np.random.default_rng([self.seed, step, _REDRAW_STREAM, global_row])
      for j in range(self.num_negatives):
        while self.has_seen(users[row:row + 1], negatives[row, j:j + 1])[0]:
          negatives[row, j] = self.warm_items[rng.integers(0, len(self.warm_items))]
    return dict(user=users, positive=self.split.train_items[rows], negatives=negatives,
                mask=np.ones(len(users), dtype=bool))
