"""Bot replies as Telegram messages: HTML-escaped, split under the length limit, with buttons.

Replies are sent with parse_mode HTML and every character escaped, so nothing a reply
contains can be read as markup. Markdown tap-to-call links made for the web widget
("[0300 123 6600](tel:03001236600)") become the plain number, which Telegram's apps make
tappable themselves. Button payloads ride in callback_data, which Telegram caps at 64 bytes;
a longer payload is replaced by a short key kept in memory.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections import OrderedDict

MESSAGE_LIMIT = 4096
CALLBACK_LIMIT = 64
_MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\((?:tel|https?):[^)]+\)")


def plain(text: str) -> str:
    return _MARKDOWN_LINK.sub(r"\1", text)


def split(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Pieces of at most `limit` characters, broken at line ends, else at spaces."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:  # a single line longer than a message
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:cut])
            line = line[cut:].lstrip()
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current or not pieces:
        pieces.append(current)
    return pieces


def messages(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """The HTML texts to send for one reply, each at most `limit` characters once escaped
    (split before escaping, so no cut falls inside "&amp;")."""
    found = []
    for piece in split(plain(text), limit):
        escaped = html.escape(piece, quote=False)
        found += [escaped] if len(escaped) <= limit else messages(piece, limit // 2)
    return found


class CallbackData:
    """Maps button payloads to callback_data and back; long ones by a short key."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._long: OrderedDict[str, str] = OrderedDict()
        self._capacity = capacity

    def encode(self, payload: str) -> str:
        if len(payload.encode()) <= CALLBACK_LIMIT:
            return payload
        key = "#" + hashlib.sha256(payload.encode()).hexdigest()[:20]
        self._long[key] = payload
        self._long.move_to_end(key)
        while len(self._long) > self._capacity:
            self._long.popitem(last=False)
        return key

    def decode(self, data: str) -> str | None:
        return self._long.get(data) if data.startswith("#") else data


def inline_keyboard(buttons: list[dict], callbacks: CallbackData) -> dict:
    """One button a row: long titles stay readable on a phone."""
    rows = []
    for button in buttons:
        if button.get("url"):
            rows.append([{"text": button["title"], "url": button["url"]}])
        else:
            data = callbacks.encode(str(button.get("payload") or button.get("title")))
            rows.append([{"text": str(button.get("title"))[:64], "callback_data": data}])
    return {"inline_keyboard": rows}
