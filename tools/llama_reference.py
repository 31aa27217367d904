"""Records llama.cpp's token ids and last-token logits on the same GGUF files, as small
fixtures for the parity tests (tests/labeler/test_parity.py).

  pip install llama-cpp-python   # a tool dependency only, never a runtime one
  python -m tools.llama_reference smollm2-135m gemma3-270m qwen2.5-0.5b qwen2.5-1.5b

For each model: tests/fixtures/llama_cpp/<model>.npz with, per prompt, llama.cpp's ids
(with the file's own BOS rule, special tokens parsed), its top-50 logits and its logits
at 2,048 fixed random vocabulary ids; and the ids of 300 Beauty titles (tokenizer only).
"""
import argparse
import pathlib

import numpy as np

from recjax.labeler.run import model_path

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "llama_cpp"
PROMPTS = [
    "The capital of France is",
    "A customer bought these products, oldest first:\n- OPI Nail Lacquer, Simmer and Shimmer, 0.5-Fluid Ounce\n"
    "- Maybelline New York Color Sensational Lipcolor, 740 Coral Crush\n\n"
    "Which of these two products is the customer more likely to buy next?\n"
    "A: Neutrogena Ultra Sheer Dry-Touch Sunscreen SPF 55, 3 Ounce\nB: Revlon ColorStay Eyeliner, Black 01\n"
    "Answer with A or B.",
    "<|im_start|>user\nWhich is better, A or B?<|im_end|>\n<|im_start|>assistant\n",
    "<start_of_turn>user\nNumbers 12345 and 3.14, emoji \U0001F600, accents: café naïve — done.<end_of_turn>\n",
]
TITLE_COUNT = 300


def titles():
  rows = (ROOT.parent / "shared" / "data" / "amazon2014-beauty" / "items.tsv").read_text(encoding="utf-8")
  out = [r.split("\t")[2] for r in rows.splitlines()[1:] if r.split("\t")[2]]
  return out[:: max(1, len(out) // TITLE_COUNT)][:TITLE_COUNT]


def record(name):
  from llama_cpp import Llama
  # logits_all: with it off this version leaves `scores` zero; only the last row is read anyway
  llm = Llama(model_path=model_path(name), n_ctx=1024, n_threads=2, verbose=False, logits_all=True)
  vocab = llm.n_vocab()
  probe = np.sort(np.random.default_rng(0).choice(vocab, 2048, replace=False))
  out = {"probe_ids": probe.astype(np.int32)}
  for n, text in enumerate(PROMPTS):
    ids = llm.tokenize(text.encode("utf-8"), add_bos=True, special=True)
    llm.reset()
    llm.eval(ids)
    logits = np.array(llm.scores[llm.n_tokens - 1], dtype=np.float32)
    top = np.argsort(-logits)[:50]
    out[f"prompt_{n}_ids"] = np.array(ids, np.int32)
    out[f"prompt_{n}_top_ids"] = top.astype(np.int32)
    out[f"prompt_{n}_top_logits"] = logits[top]
    out[f"prompt_{n}_probe_logits"] = logits[probe]
  flat, lengths = [], []
  for t in titles():
    ids = llm.tokenize(t.encode("utf-8"), add_bos=False, special=False)
    flat += ids
    lengths.append(len(ids))
  out["title_ids"] = np.array(flat, np.int32)
  out["title_lengths"] = np.array(lengths, np.int32)
  OUT.mkdir(parents=True, exist_ok=True)
  np.savez_compressed(OUT / f"{name}.npz", **out)
  print(f"{name}: {len(PROMPTS)} prompts, {len(lengths)} titles -> {OUT / (name + '.npz')}")


def main():
  p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
  p.add_argument("models", nargs="+")
  for name in p.parse_args().models:
    record(name)


if __name__ == "__main__":
  main()
