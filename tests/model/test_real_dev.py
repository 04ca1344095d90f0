"""Floors on real messages never trained on, through the trained model: the corpus's dev part
(corpus/messages.jsonl, split dev) and a later set from other sources (corpus/unseen_r4.jsonl).
Measured 2026-12-07 (`python -m bench.real_messages [--set=corpus/unseen_r4.jsonl]`): dev
58.3% of calm messages get the intent whose answer is right, 80 of 121 out-of-scope messages
the honest out-of-scope reply or the fallback, 17 of 326 the emergency script (36 before long
posts' pleas and half sentences stopped counting as signs); unseen round 4 58.1% right (49.7%
on its first run), 7 of 155 the emergency script. The floors sit just under; raise them as
it improves."""

from __future__ import annotations

from pathlib import Path

from bench.real_messages import FALLBACK, calm_rows, is_right, right_intent

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
UNSEEN_R4, UNSEEN_R5 = CORPUS / "unseen_r4.jsonl", CORPUS / "unseen_r5.jsonl"
# (set, at least this many calm messages, right floor, out-of-scope floor, emergency ceiling)
SETS = [
    (None, 300, 0.55, 0.60, 22),
    (UNSEEN_R4, 150, 0.53, 0.60, 10),
    # Round 5 (corpus/SOURCES-unseen_r5.md), first run 2026-12-07: 52.8% right, 37 of 50 out
    # of scope kept out, 6 of 161 the emergency script.
    (UNSEEN_R5, 150, 0.50, 0.70, 8),
]


async def test_real_messages_never_trained_on_get_the_right_answer(agent):
    for chosen, at_least, right_floor, out_of_scope_floor, emergency_ceiling in SETS:
        rows = calm_rows(chosen)
        assert len(rows) >= at_least
        right = out_of_scope_honest = out_of_scope = emergency = 0
        for row in rows:
            predicted = (await agent.parse_message(row["text"]))["intent"]["name"]
            expected = right_intent(row["need"])
            right += is_right(expected, predicted)
            emergency += predicted == "emergency"
            if expected == "out_of_scope":
                out_of_scope += 1
                out_of_scope_honest += predicted in ("out_of_scope", FALLBACK)
        name = chosen.name if chosen else "dev"
        print(
            f"\n{name}: right {right}/{len(rows)}, out of scope honest "
            f"{out_of_scope_honest}/{out_of_scope}, emergency on calm {emergency}"
        )
        assert right / len(rows) >= right_floor, name
        assert out_of_scope_honest / out_of_scope >= out_of_scope_floor, name
        assert emergency <= emergency_ceiling, name
