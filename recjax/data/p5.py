"""Reader for the P5 / S3-Rec layout: sequential_data.txt, datamaps.json, items.tsv.

The ids in sequential_data.txt are already the item numbering (1..I), so they are
kept as they are; items.tsv gives titles and ASINs, datamaps.json the reviewer ids.
"""
import json
import os

import numpy as np

from recjax.data.dataset import Dataset, DataFormatError, require_file, to_csr


def _read_items(path):
  """items.tsv -> (asin by id, title by id); the header names the columns."""
  with open(path, encoding="utf-8") as f:
    header = f.readline().rstrip("\n").split("\t")
    missing = {"item_id", "asin", "title"} - set(header)
    if missing:
      raise DataFormatError(path, 1, f"a header with columns item_id, asin, title (missing {sorted(missing)})",
                            got="\t".join(header))
    col = {name: header.index(name) for name in ("item_id", "asin", "title")}
    asins, titles = {}, {}
    for n, line in enumerate(f, start=2):
      line = line.rstrip("\n")
      if not line:
        continue
      fields = line.split("\t")
      if len(fields) != len(header):
        raise DataFormatError(path, n, f"{len(header)} tab-separated fields ({', '.join(header)})",
                              got=line)
      try:
        item = int(fields[col["item_id"]])
      except ValueError:
        raise DataFormatError(path, n, "an integer item_id", got=fields[col["item_id"]]) from None
      if item < 1 or item in asins:
        raise DataFormatError(path, n, "a positive item_id not seen on an earlier line", got=str(item))
      asins[item] = fields[col["asin"]]
      titles[item] = fields[col["title"]].strip()
  return asins, titles


def _read_sequences(path):
  """sequential_data.txt -> (user ids as written, item sequences, counts)."""
  users, sequences, seen_on = [], [], {}
  counts = {"duplicates_removed": 0, "empty_users_skipped": 0}
  with open(path, encoding="utf-8") as f:
    for n, line in enumerate(f, start=1):
      fields = line.split()
      if not fields:
        continue
      try:
        ids = [int(x) for x in fields]
      except ValueError:
        bad = next(x for x in fields if not x.lstrip("-").isdigit())
        raise DataFormatError(path, n, "whitespace-separated integer ids (user_id item_id ...)",
                              got=bad) from None
      user, seq = fields[0], ids[1:]
      if user in seen_on:
        raise DataFormatError(path, n, f"each user on one line (user {user} is also on line {seen_on[user]})")
      seen_on[user] = n
      if any(i < 1 for i in seq):
        raise DataFormatError(path, n, "item ids >= 1 (0 is reserved for padding)",
                              got=str(min(seq)))
      if not seq:
        counts["empty_users_skipped"] += 1
        continue
      unique = list(dict.fromkeys(seq))  # a repeated item keeps its first occurrence
      counts["duplicates_removed"] += len(seq) - len(unique)
      users.append(user)
      sequences.append(unique)
  return users, sequences, counts


def _read_datamaps(path):
  with open(path, encoding="utf-8") as f:
    try:
      maps = json.load(f)
    except json.JSONDecodeError as e:
      raise DataFormatError(path, e.lineno, f"valid JSON ({e.msg} at column {e.colno})") from None
  for key in ("id2user", "id2item"):
    if key not in maps:
      raise DataFormatError(path, None, f"a JSON object with key {key!r}", got=str(sorted(maps))[:80])
  return maps


def read_p5(name, root):
  """Reads one dataset folder in the P5 layout."""
  seq_path = require_file(os.path.join(root, "sequential_data.txt"), "one line per user: user_id item_id ...")
  maps_path = require_file(os.path.join(root, "datamaps.json"), "user2id/id2user, item2id/id2item maps")
  items_path = require_file(os.path.join(root, "items.tsv"), "item_id, asin, title per line")
  users, sequences, counts = _read_sequences(seq_path)
  maps = _read_datamaps(maps_path)
  asins, titles = _read_items(items_path)

  num_items = max(max(asins), len(maps["id2item"]))
  top = max(max(s) for s in sequences)
  if top > num_items:
    n = next(n for n, s in enumerate(sequences) if max(s) == top)
    raise DataFormatError(seq_path, None, f"item ids <= {num_items} (the items in {items_path})",
                          got=f"item {top} for user {users[n]}")
  for item, asin in asins.items():
    if maps["id2item"].get(str(item), asin) != asin:
      raise DataFormatError(items_path, None, f"the ASIN of item {item} in {maps_path}",
                            got=f"{asin} (datamaps: {maps['id2item'][str(item)]})")
  counts["items_without_title_row"] = num_items - len(asins)

  offsets, items = to_csr(sequences)
  item_raw = [""] + [asins.get(i, maps["id2item"].get(str(i), "")) for i in range(1, num_items + 1)]
  title = [""] + [titles.get(i, "") for i in range(1, num_items + 1)]
  user_raw = [maps["id2user"].get(u, u) for u in users]
  return Dataset(name=name, offsets=offsets, items=items,
                 titles=np.array(title, dtype=str), user_raw=np.array(user_raw, dtype=str),
                 item_raw=np.array(item_raw, dtype=str), counts=counts)
