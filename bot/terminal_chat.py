"""A terminal chat with the running assistant over its REST channel (`make chat`)."""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
import uuid

URL = os.environ.get("HRA_REST_URL", "http://127.0.0.1:5005/webhooks/rest/webhook")


def send(sender: str, message: str) -> list[dict]:
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(URL, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def show(reply: dict, first_number: int) -> None:
    if reply.get("text"):
        print(f"bot> {reply['text']}")
    for number, button in enumerate(reply.get("buttons") or [], start=first_number):
        print(f"     [{number}] {button['title']}")


def main() -> int:
    sender = f"terminal-{uuid.uuid4().hex[:8]}"
    print("Type a message (a button's number picks it; Ctrl-D or 'quit' ends).")
    buttons: list[dict] = []
    while True:
        try:
            text = input("you> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if text.lower() in {"quit", "exit"}:
            return 0
        if text.isdigit() and 0 < int(text) <= len(buttons):
            text = buttons[int(text) - 1]["payload"]
        try:
            replies = send(sender, text)
        except (urllib.error.URLError, OSError) as error:
            print(f"Cannot reach the assistant at {URL} ({error}). Is `make run` running?")
            print("If someone's life is in danger, call your emergency number (999 UK, 911 US).")
            continue
        buttons = []
        for reply in replies:
            show(reply, first_number=len(buttons) + 1)
            buttons += reply.get("buttons") or []


if __name__ == "__main__":
    sys.exit(main())
