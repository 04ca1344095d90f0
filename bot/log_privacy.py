"""No user text in the server's logs, at any level, and no forged log lines.

Rasa logs message text in places we do not control (DEBUG lines such as "Received user
message '...'", structlog events with `user_text=`), and a newline in a message could start a
line of its own that looks like the server's. So every log record made in the Rasa server is
rewritten as it is created (`logging.setLogRecordFactory`, which every logger and structlog's
stdlib output go through, whatever the handlers):
- while a message is being handled (`hidden(...)`, used by bot/channels/guard.py), its text,
  in each form it reaches Rasa (as typed, cut, masked) and as repr() and JSON write it, is
  replaced by "[message text]" (texts under 8 characters only as whole words);
- control characters (newlines included) are written as escapes, so one record is one line.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

HIDDEN = "[message text]"
# Shorter texts ("hi", "ok") are replaced only as whole words: inside other words they say
# nothing about the person and replacing them would garble the log.
_WHOLE_WORDS_BELOW = 8

# Rasa is given at most HRA_MAX_MESSAGE_CHARS of a message; a longer form never reaches a log.
_LONGEST_HIDDEN = 20_000
_CONTROL = {
    code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F, 0x85) if code not in (0x09,)
} | {ord("\n"): "\\n", ord("\r"): "\\r", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def _forms(text: str) -> set[str]:
    """How `text` can appear in a log line: as is, as repr() and JSON escape it, and JSON of a
    repr (structlog's JSON of an event object)."""
    forms = {
        text,
        repr(text)[1:-1],
        json.dumps(text)[1:-1],
        json.dumps(text, ensure_ascii=False)[1:-1],
        json.dumps(repr(text)[1:-1])[1:-1],
    }
    return {form for form in forms if form.strip()}


class _Secrets:
    """The forms of one message's text that log records made while it is handled must hide."""

    def __init__(self) -> None:
        self.forms: set[str] = set()
        self.pattern: re.Pattern[str] | None = None

    def add(self, text: str | None) -> None:
        if not text or len(text) > _LONGEST_HIDDEN or text in self.forms:
            return
        self.forms |= _forms(text)
        alternatives = [
            re.escape(form)
            if len(form) >= _WHOLE_WORDS_BELOW
            else rf"(?<!\w){re.escape(form)}(?!\w)"
            for form in sorted(self.forms, key=len, reverse=True)
        ]
        self.pattern = re.compile("|".join(alternatives)) if alternatives else None

    def hide(self, message: str) -> str:
        return self.pattern.sub(HIDDEN, message) if self.pattern is not None else message


_current: ContextVar[_Secrets | None] = ContextVar("hra_hidden_text", default=None)


@contextmanager
def hidden(text: str | None) -> Iterator[Callable[[str | None], None]]:
    """While inside, log records made in this task (and in tasks and threads it starts) never
    show `text`, nor the other forms of it given to the function this yields."""
    secrets = _Secrets()
    secrets.add(text)
    token = _current.set(secrets)
    try:
        yield secrets.add
    finally:
        _current.reset(token)


def clean(message: str) -> str:
    """`message` without the text being handled and with its control characters escaped."""
    secrets = _current.get()
    if secrets is not None:
        message = secrets.hide(message)
    return message.translate(_CONTROL)


class _Cleaning:
    """A log record factory: the previous one's record, its message rendered and cleaned."""

    def __init__(self, previous: Any) -> None:
        self.previous = previous

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: say so rather than guess at its text
            message = f"(unformattable log message from {record.name})"
        record.msg, record.args = clean(message), ()
        secrets = _current.get()
        if record.exc_info and secrets is not None:
            # A traceback keeps its lines; the text being handled is taken out of it.
            record.exc_text = secrets.hide(logging.Formatter().formatException(record.exc_info))
        return record


def install() -> None:
    """Makes every log record in this process clean (once; later calls change nothing)."""
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _Cleaning):
        logging.setLogRecordFactory(_Cleaning(factory))
