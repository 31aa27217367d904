"""Reader for raw Amazon review dumps that users download themselves (2014 and 2018).

2014: `reviews_<Cat>_5.json.gz` is JSON lines; `meta_<Cat>.json.gz` holds one Python
dict literal per line (single quotes), so it is parsed with ast.literal_eval, never
eval. 2018: both files are JSON lines. Reviews are ordered by unixReviewTime and
k-core filtered (k=5 by default) before numbering.
"""
import ast
import gzip
import json
import zlib

from recjax.data.dataset import DataFormatError, from_interactions, require_file

REVIEW_KEYS = ("reviewerID", "asin", "unixReviewTime")


def _lines(path):
  """(line number, text) of a plain or gzipped text file; a broken gzip names the file."""
  opener = gzip.open if str(path).endswith(".gz") else open
  n = 0
  try:
    with opener(path, "rt", encoding="utf-8") as f:
      for n, line in enumerate(f, start=1):
        if line.strip():
          yield n, line
  except UnicodeDecodeError as e:
    raise DataFormatError(path, n + 1, f"UTF-8 text ({e.reason})") from None
  except (EOFError, OSError, zlib.error) as e:
    raise DataFormatError(path, n + 1, f"a complete gzip stream ({e})") from None


def _parse(path, n, line, literal):
  try:
    record = ast.literal_eval(line) if literal else json.loads(line)
  except (ValueError, SyntaxError, MemoryError, RecursionError):
    what = "a Python dict literal" if literal else "a JSON object"
    raise DataFormatError(path, n, what, got=line.strip()) from None
  if not isinstance(record, dict):
    raise DataFormatError(path, n, "a JSON object" if not literal else "a dict literal", got=line.strip())
  return record


def read_reviews(path):
  users, items, times = [], [], []
  for n, line in _lines(require_file(path, "Amazon reviews, one JSON object per line")):
    r = _parse(path, n, line, literal=False)
    missing = [k for k in REVIEW_KEYS if k not in r]
    if missing:
      raise DataFormatError(path, n, f"keys {list(REVIEW_KEYS)} (missing {missing})", got=line.strip())
    try:
      times.append(float(r["unixReviewTime"]))
    except (TypeError, ValueError):
      raise DataFormatError(path, n, "a numeric unixReviewTime", got=str(r["unixReviewTime"])) from None
    users.append(str(r["reviewerID"]))
    items.append(str(r["asin"]))
  return users, items, times


def read_titles(path, version):
  """asin -> title; 2014 metadata lines are dict literals, 2018 lines JSON."""
  titles = {}
  for n, line in _lines(require_file(path, "Amazon item metadata, one record per line")):
    r = _parse(path, n, line, literal=(version == 2014))
    if "asin" not in r:
      raise DataFormatError(path, n, "a record with key 'asin'", got=line.strip())
    title = r.get("title", "")
    titles[str(r["asin"])] = title.strip() if isinstance(title, str) else ""
  return titles


def read_amazon(name, reviews, meta=None, version=2014, k_core=5):
  if version not in (2014, 2018):
    raise ValueError(f"Amazon review data version must be 2014 or 2018, got {version!r}")
  users, items, times = read_reviews(reviews)
  titles = read_titles(meta, version) if meta else {}
  return from_interactions(name, users, items, times, titles, k_core=k_core)
