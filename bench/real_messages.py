"""How trained models do on real messages nobody here wrote (corpus/, labels and sources
beside it) and on the written held-out set (tests/nlu/), side by side in one run.

For each model: on the corpus's `dev` part (never trained on), the share whose intent gives
the right answer for the labelled need (corpus/need_intents.yml), per topic; how many
out-of-scope messages got the honest out-of-scope reply; how many calm messages got the
emergency script; and the held-out set's accuracy per topic. Labels only, through the model's
own parse (the crisis detector included); replies are judged end to end elsewhere.

    .venv/bin/python -m bench.real_messages [MODEL.tar.gz[@CODE_DIR] ...] [--set=FILE.jsonl]

`--set` measures another labelled file of real messages instead of the dev part (every calm
row, whatever its split), e.g. corpus/unseen_r4.jsonl, collected later and never trained on.

Default: models/assistant.tar.gz. A model trained by an earlier commit needs that commit's
components: `OLD.tar.gz@DIR` parses with the code checked out in DIR (`git worktree add DIR
COMMIT`), in a process of its own, e.g. the pipeline before the real-message work:

    git worktree add /tmp/before ea75272 && (cd /tmp/before && ln -s /work/main/.venv .venv \
      && make train) && .venv/bin/python -m bench.real_messages \
      /tmp/before/models/assistant.tar.gz@/tmp/before models/assistant.tar.gz
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import yaml

from tests.model.test_heldout_nlu import group_of as heldout_group_of
from tests.model.test_heldout_nlu import heldout_examples, is_right  # as bench/load.py

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus" / "messages.jsonl"
NEED_INTENTS = ROOT / "corpus" / "need_intents.yml"
FALLBACK = "nlu_fallback"


def read_corpus(splits: set[str]) -> list[dict]:
    rows = [json.loads(line) for line in CORPUS.read_text().splitlines() if line.strip()]
    return [row for row in rows if row["split"] in splits]


def right_intent(need: str) -> str | None:
    """The intent whose answer is right for a labelled need; None if none answers it yet."""
    mapping = yaml.safe_load(NEED_INTENTS.read_text()) or {}
    return mapping.get(need, need)


def group_of(intent: str | None) -> str:
    return "(no answer yet)" if intent is None else heldout_group_of(intent)


class Tally:
    def __init__(self) -> None:
        self.right: dict[str, int] = defaultdict(int)
        self.total: dict[str, int] = defaultdict(int)

    def add(self, group: str, right: bool) -> None:
        self.total[group] += 1
        self.right[group] += right

    def overall(self) -> tuple[int, int]:
        return sum(self.right.values()), sum(self.total.values())


# Run in DIR's own code: its components, its crisis patterns.
PARSE_ELSEWHERE = """
import asyncio, json, sys
sys.path.insert(0, ".")
from rasa.core.agent import Agent
texts = json.load(sys.stdin)
agent = Agent.load(sys.argv[1])
async def main():
    return [(await agent.parse_message(text))["intent"]["name"] for text in texts]
print("INTENTS " + json.dumps(asyncio.run(main())))
"""


async def intents_of(model: Path, code: Path, texts: list[str]) -> list[str]:
    if code == ROOT:
        from tests.harness import load_agent_from

        agent = load_agent_from(model)
        return [(await agent.parse_message(text))["intent"]["name"] for text in texts]
    done = subprocess.run(
        [sys.executable, "-c", PARSE_ELSEWHERE, str(model)],
        cwd=code,
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(line for line in done.stdout.splitlines() if line.startswith("INTENTS "))
    return json.loads(line.removeprefix("INTENTS "))


def calm_rows(chosen: Path | None) -> list[dict]:
    """The calm messages measured: the corpus's dev part, or every calm row of `chosen`."""
    if chosen is None:
        return [row for row in read_corpus({"dev"}) if row["crisis"] == "none"]
    rows = [json.loads(line) for line in chosen.read_text().splitlines() if line.strip()]
    return [row for row in rows if row["crisis"] == "none"]


async def measure(model: Path, code: Path, dev: list[dict]) -> dict[str, object]:
    heldout = heldout_examples()
    predicted_all = await intents_of(
        model, code, [row["text"] for row in dev] + [text for text, _ in heldout]
    )
    dev_tally, heldout_tally, who_tally = Tally(), Tally(), Tally()
    emergency_on_calm = out_of_scope_honest = out_of_scope_total = 0
    misses = []
    for row, predicted in zip(dev, predicted_all, strict=False):
        expected = right_intent(row["need"])
        right = is_right(expected, predicted)
        dev_tally.add(group_of(expected), right)
        who_tally.add(row.get("who") or "unknown", right)  # self, other, worker, unknown
        emergency_on_calm += predicted == "emergency"
        if expected == "out_of_scope":
            out_of_scope_total += 1
            out_of_scope_honest += predicted == "out_of_scope"
        if not right:
            misses.append((row["id"], row["need"], predicted))
    for (_, expected), predicted in zip(heldout, predicted_all[len(dev) :], strict=True):
        heldout_tally.add(group_of(expected), is_right(expected, predicted))
    return {
        "dev": dev_tally,
        "heldout": heldout_tally,
        "who": who_tally,
        "emergency on calm": (emergency_on_calm, len(dev)),
        "out of scope honest": (out_of_scope_honest, out_of_scope_total),
        "misses": misses,
    }


def table(results: dict[str, dict[str, object]], part: str) -> list[str]:
    names = list(results)
    groups = sorted({g for result in results.values() for g in result[part].total})
    lines = [f"  {'topic':<22}" + "".join(f"{name:>26}" for name in names)]
    for group in [*groups, "overall"]:
        cells = []
        for name in names:
            tally: Tally = results[name][part]  # type: ignore[assignment]
            right, total = (
                tally.overall() if group == "overall" else (tally.right[group], tally.total[group])
            )
            cells.append(f"{right:>5}/{total:<4} {right / total if total else 0:7.1%}".rjust(26))
        lines.append(f"  {group:<22}" + "".join(cells))
    return lines


async def main(models: list[tuple[Path, Path]], chosen: Path | None) -> None:
    rows = calm_rows(chosen)
    results = {}
    for model, code in models:
        label = str(model.relative_to(ROOT)) if model.is_relative_to(ROOT) else str(model)
        results[label] = await measure(model, code, rows)
    measured = chosen or "corpus/messages.jsonl, split dev"
    print(f"Real messages ({measured}, calm): right answer per topic")
    print("\n".join(table(results, "dev")))
    print("The same messages by whose situation they are about (LABELLING.md `who`)")
    print("\n".join(table(results, "who")))
    print("Written held-out set (tests/nlu/): right intent per topic")
    print("\n".join(table(results, "heldout")))
    for label, result in results.items():
        calm, total = result["emergency on calm"]  # type: ignore[misc]
        honest, oos = result["out of scope honest"]  # type: ignore[misc]
        print(
            f"{label}: emergency script on calm messages {calm}/{total}; "
            f"out-of-scope messages given the out-of-scope reply {honest}/{oos}"
        )
    if "--misses" in sys.argv:
        for label, result in results.items():
            print(f"misses of {label} (id, need, got):")
            for miss in result["misses"]:  # type: ignore[attr-defined]
                print("  ", *miss)


if __name__ == "__main__":
    chosen = []
    for arg in (arg for arg in sys.argv[1:] if not arg.startswith("--")):
        model, _, code = arg.partition("@")
        chosen.append((Path(model).resolve(), Path(code).resolve() if code else ROOT))
    other = next((arg.removeprefix("--set=") for arg in sys.argv if arg.startswith("--set=")), None)
    asyncio.run(
        main(
            chosen or [(ROOT / "models" / "assistant.tar.gz", ROOT)],
            Path(other).resolve() if other else None,
        )
    )
