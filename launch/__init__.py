"""Thin absl entry points: prepare, train, label."""
import contextlib


@contextlib.contextmanager
def bad_input_exits():
  """Bad input is the user's to fix: `error: <file>:<line>: ...` and exit 1, no traceback."""
  from recjax.data.dataset import DataFormatError
  from recjax.labeler.gguf_file import GGUFError
  try:
    yield
  except (DataFormatError, GGUFError, FileNotFoundError) as e:
    raise SystemExit(f"error: {e}") from None
