"""Reader for RecBole atomic files (`.inter`, `.item`), and where MovieLens-100K lives.

Headers are typed (`item_id:token`, `timestamp:float`); rows are tab-separated.
ML-100K comes from the `recbole==1.2.1` wheel's dataset_example folder, found through
importlib.metadata so that recbole (and torch) is never imported.
"""
import importlib.metadata
import os

from recjax.data.dataset import DataFormatError, from_interactions, require_file


def _read_table(path, required):
  """-> {field name: list of str}; the header's `name:type` gives the names."""
  with open(path, encoding="utf-8") as f:
    header = f.readline().rstrip("\n").split("\t")
    names = [h.split(":", 1)[0] for h in header]
    if any(":" not in h for h in header) or not set(required) <= set(names):
      raise DataFormatError(path, 1, f"a typed header (name:type, tab-separated) with fields {list(required)}",
                            got="\t".join(header))
    columns = {name: [] for name in names}
    for n, line in enumerate(f, start=2):
      line = line.rstrip("\n")
      if not line:
        continue
      fields = line.split("\t")
      if len(fields) != len(names):
        raise DataFormatError(path, n, f"{len(names)} tab-separated fields ({', '.join(names)})", got=line)
      for name, value in zip(names, fields):
        columns[name].append(value)
  return columns


def read_atomic(name, inter_path, item_path=None, title_field="movie_title", k_core=0):
  """Interactions ordered by timestamp within each user (ties stable); titles from .item."""
  cols = _read_table(require_file(inter_path, "RecBole atomic interactions"), ("user_id", "item_id"))
  times = cols.get("timestamp")
  if times is None:
    times = [0.0] * len(cols["user_id"])  # no timestamp: file order is the order
  else:
    for n, t in enumerate(times, start=2):
      try:
        float(t)
      except ValueError:
        raise DataFormatError(inter_path, n, "a numeric timestamp", got=t) from None
  titles = {}
  if item_path:
    items = _read_table(require_file(item_path, "RecBole atomic item features"), ("item_id", title_field))
    titles = {i: t.strip() for i, t in zip(items["item_id"], items[title_field])}
  return from_interactions(name, cols["user_id"], cols["item_id"], times, titles, k_core=k_core)


def recbole_example_dir(dataset="ml-100k"):
  """The folder of one of the datasets the recbole wheel carries."""
  try:
    files = importlib.metadata.files("recbole")
  except importlib.metadata.PackageNotFoundError:
    raise FileNotFoundError(
        f"{dataset} comes from the recbole wheel, which is not installed: "
        "pip install --no-deps recbole==1.2.1") from None
  target = f"dataset_example/{dataset}/{dataset}.inter"
  for f in files or ():
    if str(f).replace(os.sep, "/").endswith(target):
      return os.path.dirname(str(f.locate()))
  raise FileNotFoundError(f"the installed recbole has no {target}; install recbole==1.2.1")
