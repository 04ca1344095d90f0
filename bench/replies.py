"""Sends messages to a running assistant and records what it says back, for judging replies
end to end (docs/research/reply_rubric.md). One new conversation per message, over REST.

    .venv/bin/python -m bench.replies IN.jsonl OUT.jsonl [--url=http://127.0.0.1:5005]

Messages go out one every 0.7 s: the server's per-address limit (HRA_ADDRESS_MESSAGES_PER_MINUTE,
120 by default) would otherwise answer "you're sending messages too fast" to most of them.

IN.jsonl has one {"id": ..., "text": ...} per line; OUT.jsonl gets the same with "reply":
the texts and button titles the assistant sent, in order.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from pathlib import Path

import requests

PAUSE = 0.7  # seconds between messages: under the per-address limit of `make run`


def reply_to(url: str, text: str) -> list[str]:
    sender = f"judge-{uuid.uuid4().hex}"
    answer = requests.post(
        f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
    )
    answer.raise_for_status()
    said = []
    for message in answer.json():
        if message.get("text"):
            said.append(message["text"])
        buttons = [button["title"] for button in message.get("buttons") or []]
        if buttons:
            said.append("[buttons: " + " | ".join(buttons) + "]")
    return said


def main(source: Path, target: Path, url: str) -> None:
    rows = [json.loads(line) for line in source.read_text().splitlines() if line.strip()]
    with target.open("w") as out:
        for row in rows:
            time.sleep(PAUSE)
            out.write(json.dumps({**row, "reply": reply_to(url, row["text"])}) + "\n")
    print(f"{len(rows)} replies in {target}")


if __name__ == "__main__":
    args = [arg for arg in sys.argv[1:] if not arg.startswith("--url")]
    base = next((arg.split("=", 1)[1] for arg in sys.argv[1:] if arg.startswith("--url=")), None)
    main(Path(args[0]), Path(args[1]), base or "http://127.0.0.1:5005")
