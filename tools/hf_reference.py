"""Records a second, float32 reference for the parity tests: HF transformers (torch) on
the same GGUF file, which it dequantizes itself, at the prompts and probe ids of the
llama.cpp fixture. llama.cpp computes with quantized activations; this one does not,
so it separates a bug in recjax's decoder from llama.cpp's arithmetic noise.

Run with an interpreter that has torch, transformers<5, accelerate and gguf (a
benchmark venv, e.g. ~/rbenv), from the repository root:
  ~/rbenv/bin/python tools/hf_reference.py smollm2-135m gemma3-270m qwen2.5-0.5b qwen2.5-1.5b
"""
import os
import pathlib
import sys

import numpy as np
import torch
from transformers import AutoModelForCausalLM

ROOT = pathlib.Path(__file__).resolve().parents[1]
FILES = {"smollm2-135m": "smollm2-135m-instruct-q4_1.gguf", "gemma3-270m": "gemma-3-270m-q4_k_m.gguf",
         "qwen2.5-0.5b": "qwen2.5-coder-0.5b-instruct.gguf", "qwen2.5-1.5b": "qwen2.5-coder-1.5b-instruct.gguf"}


def main():
  folder = pathlib.Path(os.environ.get("RECJAX_MODEL_DIR", "~/.cache/recjax/models")).expanduser()
  for name in sys.argv[1:]:
    ref = dict(np.load(ROOT / "tests" / "fixtures" / "llama_cpp" / f"{name}.npz"))
    model = AutoModelForCausalLM.from_pretrained(str(folder), gguf_file=FILES[name], torch_dtype=torch.float32)
    out = {}
    n = 0
    while f"prompt_{n}_ids" in ref:
      with torch.no_grad():
        logits = model(torch.tensor(ref[f"prompt_{n}_ids"], dtype=torch.long)[None]).logits[0, -1].numpy()
      out[f"prompt_{n}_probe_logits"] = logits[ref["probe_ids"]].astype(np.float32)
      n += 1
    target = ROOT / "tests" / "fixtures" / "hf" / f"{name}.npz"
    target.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(target, **out)
    print(f"{name}: {n} prompts -> {target}")


if __name__ == "__main__":
  main()
