"""The real-message corpus: its train part is trained on, its dev and crisis parts never."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus" / "messages.jsonl"
# Collected later from other sources and kept whole for measuring (corpus/SOURCES-unseen_r*.md).
UNSEEN = [ROOT / "corpus" / "unseen_r4.jsonl", ROOT / "corpus" / "unseen_r5.jsonl"]


def corpus_rows(path: Path = CORPUS) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def trained_texts() -> set[str]:
    texts = set()
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        for block in yaml.safe_load(path.read_text()).get("nlu", []):
            for line in (block.get("examples") or "").splitlines():
                if line.strip().startswith("- "):
                    texts.add(squash(line.strip()[2:]))
    return texts


def squash(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def to_nlu():
    spec = importlib.util.spec_from_file_location("to_nlu", ROOT / "corpus" / "tools" / "to_nlu.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_no_message_kept_to_measure_is_trained_on():
    trained = trained_texts()
    unseen = [row for row in corpus_rows() if row["split"] in ("dev", "crisis_test")]
    for path in UNSEEN:
        unseen += corpus_rows(path)
    # A few words anyone would write ("hello", "They're breathing") may match by chance.
    leaked = [
        row["id"]
        for row in unseen
        if len(row["text"].split()) > 3 and squash(row["text"]) in trained
    ]
    assert len(unseen) >= 600 and not leaked, leaked


def test_the_train_part_is_in_the_training_data_under_its_needs_intent(domain):
    tool = to_nlu()
    known = {next(iter(i)) if isinstance(i, dict) else i for i in domain["intents"]}
    written = yaml.safe_load((ROOT / "data" / "nlu" / "real_messages.yml").read_text())["nlu"]
    on_disk = {block["intent"]: block["examples"] for block in written}
    for intent, texts in tool.examples_by_intent(known).items():
        for text in texts:
            assert f"- {text}\n" in on_disk.get(intent, ""), (
                f"{intent}: {text[:60]!r} is missing: run corpus/tools/to_nlu.py"
            )


def test_every_need_maps_to_an_intent_that_exists_or_to_none(domain):
    mapping = yaml.safe_load((ROOT / "corpus" / "need_intents.yml").read_text())
    known = {next(iter(i)) if isinstance(i, dict) else i for i in domain["intents"]}
    unknown = {need: intent for need, intent in mapping.items() if intent and intent not in known}
    assert not unknown
    rows = corpus_rows() + [row for path in UNSEEN for row in corpus_rows(path)]
    needs = {row["need"] for row in rows} - {"emergency"}
    unmapped = [need for need in needs if need not in mapping and need not in known]
    assert not unmapped, unmapped
