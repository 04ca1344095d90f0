"""Floors on the real dev part (corpus/messages.jsonl, split dev: real messages never trained
on), through the trained model. Measured 2026-12-06 (`python -m bench.real_messages`, fallback
at 0.3): 54.9% of calm dev messages get the intent whose answer is right, 79 of 121
out-of-scope messages get the honest out-of-scope reply or the fallback, 36 of 326 get the
emergency script (42 before long weak-worded posts got the safety line instead). The floors
sit just under; raise them as it improves."""

from __future__ import annotations

from bench.real_messages import FALLBACK, is_right, read_corpus, right_intent

RIGHT_FLOOR = 0.50
OUT_OF_SCOPE_FLOOR = 0.55
EMERGENCY_ON_CALM_CEILING = 40


async def test_real_messages_never_trained_on_get_the_right_answer(agent):
    dev = [row for row in read_corpus({"dev"}) if row["crisis"] == "none"]
    assert len(dev) >= 300
    right = out_of_scope_honest = out_of_scope = emergency = 0
    for row in dev:
        predicted = (await agent.parse_message(row["text"]))["intent"]["name"]
        expected = right_intent(row["need"])
        right += is_right(expected, predicted)
        emergency += predicted == "emergency"
        if expected == "out_of_scope":
            out_of_scope += 1
            out_of_scope_honest += predicted in ("out_of_scope", FALLBACK)
    print(
        f"\nreal dev: right {right}/{len(dev)}, out of scope honest "
        f"{out_of_scope_honest}/{out_of_scope}, emergency on calm {emergency}"
    )
    assert right / len(dev) >= RIGHT_FLOOR
    assert out_of_scope_honest / out_of_scope >= OUT_OF_SCOPE_FLOOR
    assert emergency <= EMERGENCY_ON_CALM_CEILING
