"""Statistics of a dataset and its cold-start split, as a dict and as a table."""
import numpy as np

PERCENTILES = (5, 25, 50, 75, 95)


def statistics(dataset, split):
  lengths = dataset.lengths
  train_len = split.train_lengths
  cold_users = {w: split.cold_eval_users(w) for w in ("valid", "test")}
  s = {
      "users": dataset.num_users,
      "items": dataset.num_items,
      "interactions": dataset.num_interactions,
      "density": dataset.num_interactions / (dataset.num_users * dataset.num_items),
      "seq_len_min": int(lengths.min()),
      **{f"seq_len_p{p}": float(np.percentile(lengths, p)) for p in PERCENTILES},
      "seq_len_max": int(lengths.max()),
      "seq_len_mean": float(lengths.mean()),
      "items_with_title": int((np.char.str_len(dataset.titles[1:]) > 0).sum()),
      "warm_items": len(split.warm_items),
      "cold_valid_items": len(split.cold_valid_items),
      "cold_test_items": len(split.cold_test_items),
      "train_interactions": len(split.train_items),
      "cold_interactions_removed": len(split.cold_valid_targets) + len(split.cold_test_targets),
      "warm_eval_users": len(split.warm_eval_users()),
      "training_only_users": int((split.warm_test == 0).sum()),
      "cold_valid_users": len(cold_users["valid"]),
      "cold_test_users": len(cold_users["test"]),
      "cold_test_users_without_history": int((train_len[cold_users["test"]] == 0).sum()),
  }
  s.update({f"read_{k}": v for k, v in sorted(dataset.counts.items())})
  return s


def format_table(name, stats):
  width = max(len(k) for k in stats)
  rows = [f"{name}", "-" * (width + 14)]
  for k, v in stats.items():
    if isinstance(v, float) and k == "density":
      text = f"{v:.6f}"
    elif isinstance(v, float):
      text = f"{v:.1f}"
    else:
      text = f"{v:,}"
    rows.append(f"{k:<{width}}  {text:>12}")
  return "\n".join(rows)
