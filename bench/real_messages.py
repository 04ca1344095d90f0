"""How the trained model does on real messages nobody here wrote (corpus/, its labels and
sources beside it): crisis recall on the crisis_test part, false alarms and intent accuracy
on the dev part, which is never trained on. Labels only, through the model's own parse;
replies are judged elsewhere.

    .venv/bin/python -m bench.real_messages [dev|crisis_test|train]...
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from pathlib import Path

from tests.harness import load_agent

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "messages.jsonl"


def read_corpus(splits: set[str]) -> list[dict]:
    rows = [json.loads(line) for line in CORPUS.read_text().splitlines() if line.strip()]
    return [row for row in rows if row["split"] in splits]


async def parse_all(agent, rows: list[dict]) -> list[dict]:
    return [await agent.parse_message(row["text"]) for row in rows]


def report(rows: list[dict], parsed: list[dict], known_intents: set[str]) -> dict[str, object]:
    emergency = [p["intent"]["name"] == "emergency" for p in parsed]
    now = [e for row, e in zip(rows, emergency, strict=True) if row["crisis"] == "now"]
    possible = [e for row, e in zip(rows, emergency, strict=True) if row["crisis"] == "possible"]
    calm = [e for row, e in zip(rows, emergency, strict=True) if row["crisis"] == "none"]
    scored = [
        (row["need"], p["intent"]["name"])
        for row, p in zip(rows, parsed, strict=True)
        if row["crisis"] == "none" and row["need"] in known_intents
    ]
    missed = Counter(
        row["crisis_kind"] or "?"
        for row, e in zip(rows, emergency, strict=True)
        if row["crisis"] == "now" and not e
    )
    return {
        "messages": len(rows),
        "crisis now -> emergency": f"{sum(now)}/{len(now)}",
        "crisis possible -> emergency": f"{sum(possible)}/{len(possible)}",
        "calm -> emergency (false alarms)": f"{sum(calm)}/{len(calm)}",
        "need is an existing intent, intent right": (
            f"{sum(need == got for need, got in scored)}/{len(scored)}"
        ),
        "need out of scope or new (no intent fits)": sum(
            1 for row in rows if row["crisis"] == "none" and row["need"] not in known_intents
        ),
        "missed emergencies by kind": dict(missed.most_common()),
    }


async def main(splits: set[str]) -> None:
    agent = load_agent("http://127.0.0.1:9/webhook")  # parsing needs no action server
    known = set(agent.domain.intents)
    rows = read_corpus(splits)
    parsed = await parse_all(agent, rows)
    for name, value in report(rows, parsed, known).items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    asyncio.run(main(set(sys.argv[1:]) or {"dev", "crisis_test"}))
