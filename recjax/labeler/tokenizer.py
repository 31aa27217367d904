"""Tokenizers built from the vocabulary inside a GGUF file, giving llama.cpp's ids.

`gpt2` vocabularies (SmolLM2, Qwen2) are byte-level BPE with merges: the `tokenizers`
library runs them, after the pre-tokenizer regexes llama.cpp uses for the file's
`tokenizer.ggml.pre`. `llama` vocabularies (Gemma 3) are SentencePiece BPE with
scores and byte fallback: merged here, highest-scoring adjacent pair first.
Control and user-defined tokens written in the text (<|im_start|>, <start_of_turn>)
are matched whole, as llama.cpp does with parse_special.
"""
import heapq
import re

from recjax.labeler.gguf_file import GGUFError

CONTROL, USER_DEFINED, BYTE = 3, 4, 6
_GPT2 = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"
PRE_TOKENIZERS = {  # tokenizer.ggml.pre -> regexes applied in turn
    "smollm": [r"\p{N}", _GPT2],
    "gpt2": [_GPT2],
    "qwen2": [r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}"
              r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"],
}


class Tokenizer:
  """encode(text) -> ids with llama.cpp's add_special/parse_special semantics."""

  def __init__(self, vocab, path="<gguf>"):
    self.vocab = vocab
    self.tokens = vocab["tokens"]
    self.ids = {t: i for i, t in enumerate(self.tokens)}
    types = vocab["types"]
    self.special = sorted((t for t, k in zip(self.tokens, types) if k in (CONTROL, USER_DEFINED) and t),
                          key=len, reverse=True)
    self._special_re = re.compile("|".join(re.escape(t) for t in self.special)) if self.special else None
    self.bos, self.eos, self.add_bos = vocab["bos"], vocab["eos"], vocab["add_bos"]
    if vocab["model"] == "gpt2":
      self._encode_plain = self._bpe(vocab, path)
    elif vocab["model"] == "llama":
      self.scores = vocab["scores"]
      self._encode_plain = self._spm
    else:
      raise GGUFError(f"{path}: unsupported tokenizer model {vocab['model']!r} (supported: gpt2, llama)")

  def _bpe(self, vocab, path):
    from tokenizers import Regex, Tokenizer as HFTokenizer, decoders, models, pre_tokenizers
    if vocab["pre"] not in PRE_TOKENIZERS:
      raise GGUFError(f"{path}: unsupported pre-tokenizer {vocab['pre']!r} (supported: {sorted(PRE_TOKENIZERS)})")
    merges = [tuple(m.split(" ", 1)) for m in vocab["merges"]]
    tok = HFTokenizer(models.BPE(vocab=dict(self.ids), merges=merges, fuse_unk=False))
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Split(Regex(r), behavior="isolated") for r in PRE_TOKENIZERS[vocab["pre"]]]
        + [pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    self._hf = tok
    return lambda text: tok.encode(text, add_special_tokens=False).ids

  def _spm(self, text):
    """SentencePiece BPE: spaces as U+2581, merge best-scoring pairs, bytes as fallback."""
    text = text.replace(" ", "\u2581")
    symbols = list(text)
    if not symbols:
      return []
    prev = list(range(-1, len(symbols) - 1))
    nxt = list(range(1, len(symbols) + 1))
    alive = [True] * len(symbols)
    heap = []

    def push(i):
      j = nxt[i]
      if j < len(symbols):
        merged = symbols[i] + symbols[j]
        tid = self.ids.get(merged)
        if tid is not None:
          heapq.heappush(heap, (-self.scores[tid], i, merged))

    for i in range(len(symbols) - 1):
      push(i)
    while heap:
      _, i, merged = heapq.heappop(heap)
      j = nxt[i] if alive[i] else len(symbols)
      if j >= len(symbols) or not alive[j] or symbols[i] + symbols[j] != merged:
        continue  # stale: a neighbour was merged since
      symbols[i], alive[j] = merged, False
      nxt[i] = nxt[j]
      if nxt[j] < len(symbols):
        prev[nxt[j]] = i
      if prev[i] >= 0:
        push(prev[i])
      push(i)
    out = []
    for s, a in zip(symbols, alive):
      if not a:
        continue
      tid = self.ids.get(s)
      if tid is not None:
        out.append(tid)
      else:  # byte fallback: <0xAB> tokens
        out.extend(self.ids[f"<0x{b:02X}>"] for b in s.encode("utf-8"))
    return out

  def encode(self, text, add_bos=None):
    """Ids of `text`; special tokens in the text become their ids; BOS per the file."""
    ids = [self.bos] if (self.add_bos if add_bos is None else add_bos) and self.bos is not None else []
    pos = 0
    for m in (self._special_re.finditer(text) if self._special_re else ()):
      if m.start() > pos:
        ids += self._encode_plain(text[pos:m.start()])
      ids.append(self.ids[m.group()])
      pos = m.end()
    if pos < len(text):
      ids += self._encode_plain(text[pos:])
    return ids

  def decode(self, ids):
    if self.vocab["model"] == "gpt2":
      return self._hf.decode(list(ids), skip_special_tokens=False)
    return "".join(self.tokens[i] for i in ids).replace("\u2581", " ")
