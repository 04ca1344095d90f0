"""The crisis detector's levels on a labelled set: act-now recall, what the rest get, and
false alarms on calm messages. Detector only (the `emergency` intent is exactly level `now`),
so no model is needed. Sets: JSON lines with `text` and `level` (now / possible / none); the
real-message corpus (`corpus/messages.jsonl`, field `crisis`, split crisis_test and dev) by
default; `corpus/crisis_real_r2.jsonl` (real crises and calm messages, never trained on) labels
like the corpus. The kind figure: of the act-now messages recognised, how many get the first
reply that fits their kind (FITS).

    .venv/bin/python -m bench.crisis_levels [FILE.jsonl ...] [--misses]
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from bench.real_messages import CORPUS, read_corpus
from bot.crisis import OBJECTS, SUBJECTS, crisis_detector

LEVELS = ("now", "possible", "none")
# The first replies (bot/content/emergency.yml) that fit each labelled kind of emergency; a
# seizure in withdrawal may get either's first aid. Kinds not listed here are not scored.
FITS = {
    "overdose": {"overdose", "cannot_call"},
    "self_overdose": {"self_overdose", "cannot_call"},
    "stimulant": {"stimulant", "chest_pain"},
    "psychosis_violence": {"psychosis_violence"},
    "suicide": {"self_harm_suicide", "self_harm_suicide_other", "paracetamol"},
    "self_harm": {"self_harm_suicide", "self_harm_suicide_other", "bleeding"},
    "seizure": {"seizure"},
    "withdrawal": {"withdrawal", "seizure"},
    "injecting_injury": {"injecting_emergency", "bleeding"},
    "needle_injury": {"needle_injury"},
    "bleeding": {"bleeding", "injecting_emergency"},
    "pregnancy": {"pregnancy"},
    "child_ingestion": {"child_ingestion"},
    "paracetamol": {"paracetamol"},
    "alcohol_poisoning": {"alcohol_poisoning"},
    "cannot_call": {"cannot_call"},
    # The blind suites' names for the same kinds.
    "cant_call": {"cannot_call"},
    "violence": {"psychosis_violence"},
    "naloxone_no_response": {"naloxone_no_response"},
    "burns": {"burns"},
}
# The writer's own overdose gets its own first reply; a blind suite's `overdose` covers both,
# so the self one fits unless the message is plainly about someone else.
THIRD_PERSON = OBJECTS | SUBJECTS


def labelled(path: Path) -> list[dict]:
    if path.resolve() == CORPUS:  # the corpus: never-trained parts only, its label under `crisis`
        return [
            {**row, "level": row["crisis"], "kind": row.get("crisis_kind")}
            for row in read_corpus({"crisis_test", "dev"})
        ]
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    # Real sets label like the corpus (`crisis`, `crisis_kind`), blind suites `level`, `kind`.
    return [
        {
            **row,
            "level": row.get("level", row.get("crisis")),
            "kind": row.get("kind", row.get("crisis_kind")),
        }
        for row in rows
    ]


def evaluate(rows: list[dict]) -> tuple[dict[str, Counter], list[tuple[str, str, dict]]]:
    table: dict[str, Counter] = {level: Counter() for level in LEVELS}
    table["kind"] = Counter()  # act-now messages recognised: does the first reply fit?
    wrong = []
    for row in rows:
        got = crisis_detector().assess(row["text"])
        table[row["level"]][got.level] += 1
        if (row["level"] == "now") != (got.level == "now") or (
            row["level"] != "none" and got.level == "none"
        ):
            wrong.append((row["level"], got.level, row))
        fits = FITS.get(row.get("kind") or "")
        if row["level"] == "now" and got.level != "none" and fits:
            fit = got.category in fits or fits_as_self(row, got.category)
            table["kind"]["fits" if fit else "other"] += 1
            if not fit:
                wrong.append((row["level"], f"{got.level}, reply {got.category}", row))
    return table, wrong


def fits_as_self(row: dict, reply: str | None) -> bool:
    words = set(row["text"].lower().replace("'", "").split())
    return row.get("kind") == "overdose" and reply == "self_overdose" and not words & THIRD_PERSON


def summary(table: dict[str, Counter]) -> dict[str, str]:
    def share(hit: int, total: int) -> str:
        return f"{hit}/{total} ({100 * hit / total:.1f}%)" if total else "0/0"

    now, possible, calm = table["now"], table["possible"], table["none"]
    return {
        "act-now recall (now -> now)": share(now["now"], sum(now.values())),
        "now -> possible (safety line, then the answer)": share(now["possible"], sum(now.values())),
        "now -> none (missed)": share(now["none"], sum(now.values())),
        "possible -> now / possible / none": "/".join(str(possible[x]) for x in LEVELS),
        "calm -> now (false alarms)": share(calm["now"], sum(calm.values())),
        "calm -> possible": share(calm["possible"], sum(calm.values())),
        "act-now recognised, first reply fits its kind": share(
            table["kind"]["fits"], sum(table["kind"].values())
        ),
    }


def main(argv: list[str]) -> int:
    show = "--misses" in argv
    paths = [Path(arg) for arg in argv if not arg.startswith("--")] or [CORPUS]
    for path in paths:
        table, wrong = evaluate(labelled(path))
        print(f"## {path}")
        for name, value in summary(table).items():
            print(f"  {name}: {value}")
        if show:
            for expected, got, row in wrong:
                print(f"  [{expected} -> {got}] {row.get('kind')}: {row['text'][:160]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
