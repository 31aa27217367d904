"""Labelers: given a user's history and two items a, b, a margin > 0 prefers a.

`llm` (A/B question or likelihood, recjax.labeler.llm), `tfidf` (cosine of title
TF-IDF vectors, no LLM), `coin` (random signs: the control for "any signal on cold
items" against "informative signal"). All share margins(histories, a, b).
"""
import collections
import math
import re

import numpy as np


class TfidfLabeler:
  """cos(history, a) - cos(history, b) over TF-IDF vectors of lower-cased title words."""
  name = "tfidf"

  def num_prompts(self, a, b):
    return len(a)

  def __init__(self, titles):
    words = [re.findall(r"[a-z0-9]+", t.lower()) for t in titles]
    df = collections.Counter(w for ws in words for w in set(ws))
    n = len(titles)
    idf = {w: math.log((1 + n) / (1 + c)) + 1.0 for w, c in df.items()}
    self.vectors = []
    for ws in words:
      v = {w: c * idf[w] for w, c in collections.Counter(ws).items()}
      norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
      self.vectors.append({w: x / norm for w, x in v.items()})

  def _history_vector(self, hist):
    h = collections.Counter()
    for item in hist:
      h.update(self.vectors[item])
    norm = math.sqrt(sum(x * x for x in h.values())) or 1.0
    return {w: x / norm for w, x in h.items()}

  def nearest(self, hist, candidates, k):
    """The k candidates whose titles are closest to the history."""
    h = self._history_vector(hist)
    scores = np.array([self._cosine(h, c) for c in candidates])
    return candidates[np.argsort(-scores, kind="stable")[:k]]

  def _cosine(self, h, item):
    v = self.vectors[item]
    return sum(x * h.get(w, 0.0) for w, x in v.items())

  def margins(self, histories, a, b, progress=None):
    out = np.zeros(len(a), np.float64)
    for n, (hist, i, j) in enumerate(zip(histories, a, b)):
      h = self._history_vector(hist)
      out[n] = self._cosine(h, i) - self._cosine(h, j)
    if progress is not None:
      progress.update(len(a))
    return {"margin": out, "margin_a": out, "margin_b": -out}


class CoinLabeler:
  """Random ±1 margins, seeded: the same pairs with coin-flip labels."""
  name = "coin"

  def __init__(self, seed=0):
    self.seed = seed

  def num_prompts(self, a, b):
    return len(a)

  def margins(self, histories, a, b, progress=None):
    rng = np.random.default_rng([self.seed, len(a), int(np.sum(a)) % (2**31)])
    out = rng.choice([-1.0, 1.0], size=len(a))
    if progress is not None:
      progress.update(len(a))
    return {"margin": out, "margin_a": out, "margin_b": -out}


class LLMLabeler:
  """An LLM scored, never asked to generate.

  mode "ab": margin_a = log p(A) - log p(B) with a shown as A, margin_b the same with
  b shown as A; margin = (margin_a - margin_b) / 2 cancels the position preference.
  mode "likelihood": margin_a = log p(a | history) - log p(a | no history), margin_b
  likewise for b; margin = margin_a - margin_b.
  """

  def __init__(self, llm, titles, mode="ab"):
    if mode not in ("ab", "likelihood"):
      raise ValueError(f"unknown labeling mode {mode!r}; known: ab, likelihood")
    self.llm, self.titles, self.mode = llm, titles, mode
    self.name = f"llm-{mode}"
    self._prior = {}  # item -> log p(title | no history), the same for every user

  def num_prompts(self, a, b):
    """Prompts margins() will run: two per pair, plus one per item not yet scored alone."""
    if self.mode == "ab":
      return 2 * len(a)
    return 2 * len(a) + len({int(i) for i in np.concatenate([a, b])} - set(self._prior))

  def margins(self, histories, a, b, progress=None):
    build = self.llm.prompts
    texts = [[self.titles[i] for i in h] for h in histories]
    if self.mode == "ab":
      requests = [build.ab(h, self.titles[i], self.titles[j]) for h, i, j in zip(texts, a, b)]
      requests += [build.ab(h, self.titles[j], self.titles[i]) for h, i, j in zip(texts, a, b)]
      lp = np.array(self.llm.logprobs(requests, progress))
      first, second = lp[:len(a)], lp[len(a):]
      margin_a, margin_b = first[:, 0] - first[:, 1], second[:, 0] - second[:, 1]
      return {"margin": (margin_a - margin_b) / 2, "margin_a": margin_a, "margin_b": margin_b}
    new = sorted({int(i) for i in np.concatenate([a, b])} - set(self._prior))
    requests = [build.continuation([], self.titles[i]) for i in new]
    requests += [build.continuation(h, self.titles[i]) for h, i in zip(texts, a)]
    requests += [build.continuation(h, self.titles[j]) for h, j in zip(texts, b)]
    sums = np.array([x.sum() for x in self.llm.logprobs(requests, progress)])
    self._prior.update(zip(new, sums[:len(new)]))
    with_a, with_b = sums[len(new):len(new) + len(a)], sums[len(new) + len(a):]
    margin_a = with_a - np.array([self._prior[int(i)] for i in a])
    margin_b = with_b - np.array([self._prior[int(j)] for j in b])
    return {"margin": margin_a - margin_b, "margin_a": margin_a, "margin_b": margin_b}
