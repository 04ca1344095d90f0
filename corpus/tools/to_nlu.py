"""Writes the corpus's `train` part into data/nlu/real_messages.yml, each message under the
intent that answers its need (corpus/need_intents.yml), plus a sample of CLINC150's everyday
assistant queries as out of scope. The `dev` and `crisis_test` parts are never written:
tests/unit/test_real_messages.py checks that none of their texts is trained on.

    .venv/bin/python corpus/tools/to_nlu.py
"""

from __future__ import annotations

import json
import random
import re
from collections import defaultdict
from pathlib import Path

import yaml

CORPUS = Path(__file__).resolve().parents[1]
ROOT = CORPUS.parent
OUT = ROOT / "data" / "nlu" / "real_messages.yml"
EVERYDAY_SAMPLE = 200  # of corpus/calm_everyday.jsonl's 3,000, as out_of_scope
SEED = 17
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ufeff]")


def need_intents() -> dict[str, str | None]:
    return yaml.safe_load((CORPUS / "need_intents.yml").read_text()) or {}


def intent_for(need: str, mapping: dict[str, str | None]) -> str | None:
    return mapping.get(need, need)


def rows(split: str) -> list[dict]:
    lines = (CORPUS / "messages.jsonl").read_text().splitlines()
    return [row for row in map(json.loads, filter(None, lines)) if row["split"] == split]


def one_line(text: str) -> str:
    # One example per line; "](" or "]{" would read as an entity annotation to Rasa.
    text = re.sub(r"\s+", " ", text).strip()
    text = UNPRINTABLE.sub("", text)  # YAML refuses C1 controls (mojibake in a few posts)
    return text.replace("](", "] (").replace("]{", "] {")


def examples_by_intent(known_intents: set[str]) -> dict[str, list[str]]:
    mapping = need_intents()
    found: dict[str, list[str]] = defaultdict(list)
    for row in rows("train"):
        intent = intent_for(row["need"], mapping)
        if intent in known_intents:
            found[intent].append(one_line(row["text"]))
    everyday = [json.loads(line)["text"] for line in (CORPUS / "calm_everyday.jsonl").open()]
    found["out_of_scope"] += random.Random(SEED).sample(everyday, EVERYDAY_SAMPLE)
    return found


def main() -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    known = {next(iter(i)) if isinstance(i, dict) else i for i in domain["intents"]}
    blocks = []
    for intent, texts in sorted(examples_by_intent(known).items()):
        unique = list(dict.fromkeys(texts))
        body = "".join(f"    - {text}\n" for text in unique)  # a block scalar: taken literally
        blocks.append(f"- intent: {intent}\n  examples: |\n{body}")
    header = (
        'version: "3.1"\n'
        "# Written by corpus/tools/to_nlu.py from the corpus's train part (real messages, as\n"
        "# typed; sources in corpus/SOURCES.md) and CLINC150's everyday queries. Do not edit:\n"
        "# change the corpus or corpus/need_intents.yml and run the tool again.\n"
        "nlu:\n"
    )
    OUT.write_text(header + "".join(blocks))
    print(f"{OUT.relative_to(ROOT)}: {sum(b.count(chr(10)) - 2 for b in blocks)} examples")


if __name__ == "__main__":
    main()
