"""The labeler's prompts, as token ids plus the positions and tokens to score.

A/B mode asks which of two titles the user prefers, in the model's chat template
where the file has one, and scores the first answer token ("A" against "B").
Likelihood mode asks nothing: it scores a title as the continuation of a short text
with the history and of the same text without it.
"""
import dataclasses

import jinja2.sandbox

QUESTION = ("A customer bought these products, oldest first:\n{history}\n\n"
            "Which of these two products is the customer more likely to buy next?\n"
            "A: {a}\nB: {b}\nAnswer with A or B.")
HISTORY_HEAD = "A customer bought these products, oldest first:\n{history}\n"
CONTINUATION = "The customer's next product:"


@dataclasses.dataclass(frozen=True)
class Request:
  """Score log p(targets[k] | ids[:positions[k] + 1]) for each k."""
  ids: tuple
  positions: tuple
  targets: tuple


def history_lines(titles):
  return "\n".join(f"- {t}" for t in titles)


class PromptBuilder:
  """Builds Requests for one tokenizer, fitting prompts under max_tokens by dropping
  the oldest history titles first."""

  def __init__(self, tokenizer, *, max_tokens=1024, max_title_tokens=48):
    self.tok, self.max_tokens, self.max_title_tokens = tokenizer, max_tokens, max_title_tokens
    template = tokenizer.vocab.get("chat_template") or ""
    self.chat = jinja2.sandbox.ImmutableSandboxedEnvironment().from_string(template) if template else None
    # In a chat the answer is the assistant's first token; in plain text it follows "Answer:".
    answers = ("A", "B") if self.chat else (" A", " B")
    ids = [tokenizer.encode(a, add_bos=False) for a in answers]
    if any(len(i) != 1 for i in ids):
      raise ValueError(f"the answers {answers} are not single tokens for this vocabulary: {ids}")
    self.answer_ids = (ids[0][0], ids[1][0])

  def _question_text(self, history, a, b):
    text = QUESTION.format(history=history_lines(history), a=a, b=b)
    if self.chat:
      return self.chat.render(messages=[{"role": "user", "content": text}], add_generation_prompt=True,
                              bos_token=self.tok.tokens[self.tok.bos] if self.tok.bos is not None else "")
    return text + "\nAnswer:"

  def ab(self, history, a, b):
    """Request scoring "A" and "B" after the question with `a` shown as A."""
    history = list(history)
    while True:
      ids = self.tok.encode(self._question_text(history, a, b))
      if len(ids) <= self.max_tokens:
        break
      if not history:
        raise ValueError(f"the question alone is {len(ids)} tokens, over max_tokens={self.max_tokens}")
      history = history[1:]
    last = len(ids) - 1
    return Request(tuple(ids), (last, last), self.answer_ids)

  def continuation(self, history, title):
    """Request scoring `title`'s tokens after the history text (or none, if empty)."""
    title_ids = self.tok.encode(" " + title, add_bos=False)[:self.max_title_tokens]
    history = list(history)
    while True:
      head = HISTORY_HEAD.format(history=history_lines(history)) if history else ""
      context = self.tok.encode(head + CONTINUATION)
      if len(context) + len(title_ids) <= self.max_tokens:
        break
      if not history:
        raise ValueError(f"a title alone takes {len(context) + len(title_ids)} tokens, "
                         f"over max_tokens={self.max_tokens}")
      history = history[1:]
    ids = context + title_ids
    start = len(context)
    return Request(tuple(ids), tuple(range(start - 1, len(ids) - 1)), tuple(title_ids))
