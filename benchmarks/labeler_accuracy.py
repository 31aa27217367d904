"""The labeler accuracy table (PROTOCOL.md): for warm users, the true warm test item
against a random warm item the user never touched, for each labeler.

  python -m benchmarks.labeler_accuracy --users 1000 --labelers tfidf,smollm2-135m:ab,smollm2-135m:likelihood
  python -m benchmarks.labeler_accuracy --collect DIR ...   # re-print the table from finished runs

Each labeler runs as `launch.label ... task=accuracy` into DIR/<labeler>, so a long
table can be built run by run; the table is printed from the accuracy.json files.
"""
import argparse
import json
import pathlib
import subprocess
import sys


def run(labeler, users, workdir, dataset):
  kind, _, mode = labeler.partition(":")
  option = f"kind={kind}" if kind in ("tfidf", "coin") else f"model={kind},mode={mode or 'ab'}"
  cmd = [sys.executable, "-m", "launch.label", f"--config=configs/label.py:{dataset},{option},task=accuracy",
         f"--config.accuracy.num_users={users}", f"--workdir={workdir}"]
  subprocess.run(cmd, check=True)


def table(root):
  rows = ["| labeler | model | users | accuracy | 95% interval | kept 50% (acc) | kept 25% (acc) |",
          "| --- | --- | --- | --- | --- | --- | --- |"]
  for path in sorted(pathlib.Path(root).glob("*/accuracy.json")):
    r = json.loads(path.read_text())
    conf = {round(c["kept"], 2): c["accuracy"] for c in r["confidence"]}
    rows.append(f"| {r['labeler']} | {r['model'] or '-'} | {r['n']} | {r['accuracy']:.3f} | "
                f"{r['low']:.3f}-{r['high']:.3f} | {conf.get(0.5, float('nan')):.3f} | {conf.get(0.25, float('nan')):.3f} |")
  return "\n".join(rows)


def main():
  p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
  p.add_argument("--labelers", default="tfidf,smollm2-135m:ab,smollm2-135m:likelihood")
  p.add_argument("--users", type=int, default=1000)
  p.add_argument("--dataset", default="beauty")
  p.add_argument("--dir", default="workdir/accuracy")
  p.add_argument("--collect", action="store_true", help="only print the table of finished runs")
  a = p.parse_args()
  if not a.collect:
    for labeler in a.labelers.split(","):
      run(labeler, a.users, pathlib.Path(a.dir) / f"{labeler.replace(':', '-')}-{a.users}", a.dataset)
  print(table(a.dir))


if __name__ == "__main__":
  main()
