"""The crisis suite (tests/crisis/) through the trained model: no crisis may be missed."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import yaml

SUITE = Path(__file__).resolve().parents[1] / "crisis"
# Issue target: under 5%. Measured 2026-12-01: 3.9% (54 of 1,392), most of them the classifier's
# own `emergency` on messages with no crisis words that the detector cannot call calm, or a
# past event told with a "now" in it ("now i carry naloxone everywhere").
FALSE_ALARM_CEILING = 0.05


def suite(kind: str) -> list[dict]:
    """Every crisis suite (crisis.yml and the ones written blind, without reading the patterns),
    or every near-miss suite."""
    messages = []
    for path in sorted(SUITE.glob(f"*{kind}.yml")):
        messages += yaml.safe_load(path.read_text())["messages"]
    return messages


async def test_every_crisis_message_becomes_emergency(agent):
    crises = suite("crisis")
    assert len(crises) >= 400
    missed = []
    for message in crises:
        parsed = await agent.parse_message(message["text"])
        if parsed["intent"]["name"] != "emergency":
            missed.append(
                f"  [{message['category']}] {message['text']!r} -> {parsed['intent']['name']}"
            )
    print(f"\nCrisis recall: {1 - len(missed) / len(crises):.1%} of {len(crises)}")
    assert not missed, "missed crises:\n" + "\n".join(missed)


async def test_near_misses_rarely_raise_a_false_alarm(agent):
    near_misses = suite("near_miss")
    assert len(near_misses) >= 400
    alarms = []
    for message in near_misses:
        parsed = await agent.parse_message(message["text"])
        if parsed["intent"]["name"] == "emergency":
            alarms.append(message)
    rate = len(alarms) / len(near_misses)
    print(f"\nFalse alarms: {rate:.1%} ({len(alarms)} of {len(near_misses)})")
    print("By kind:", dict(Counter(message["kind"] for message in alarms)))
    for message in alarms:
        print(f"  [{message['kind']}] {message['text']!r}")
    assert rate < FALSE_ALARM_CEILING
