"""Latency from a crisis message to the first bot message, through the trained model and the
real action server (in-memory tracker store). Prints p50/p95/p99 in milliseconds.

    make bench            # or: .venv/bin/python -m bench.crisis_latency [rounds]
"""

from __future__ import annotations

import asyncio
import resource
import statistics
import sys
import time
import uuid
from pathlib import Path

import yaml

from bot.referrals import directory
from tests.harness import action_server, load_agent


def emergency_numbers() -> set[str]:
    """The message may name its place ("on the phone to 000"): any region's number will do."""
    regions = directory().regions.values()
    return {number for region in regions for number in region.emergency_numbers}


SUITES = sorted((Path(__file__).resolve().parents[1] / "tests" / "crisis").glob("*crisis.yml"))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


async def measure(agent, messages: list[str]) -> list[float]:
    latencies = []
    numbers = emergency_numbers()
    for text in messages:
        sender = f"bench-{uuid.uuid4().hex[:8]}"  # a new person each time: worst case
        started = time.perf_counter()
        replies = await agent.handle_text(text, sender_id=sender)
        latencies.append((time.perf_counter() - started) * 1000)
        first = replies[0].get("text", "") if replies else ""
        if not any(number in first for number in numbers):
            raise AssertionError(f"no emergency reply to {text!r}: {replies}")
    return latencies


async def run(messages: list[str], rounds: int) -> list[float]:
    with action_server() as url:
        started = time.perf_counter()
        agent = load_agent(url)
        print(f"model load (Agent.load): {time.perf_counter() - started:.1f} s")
        await measure(agent, messages[:20])  # warm-up
        return await measure(agent, messages * rounds)


def main(rounds: int = 1) -> None:
    # Once each: the detector remembers the last texts it read, so a second round would flatter.
    messages = [
        entry["text"] for suite in SUITES for entry in yaml.safe_load(suite.read_text())["messages"]
    ]
    latencies = asyncio.run(run(messages, rounds))
    print(f"crisis message -> first bot message, {len(latencies)} messages, new sender each:")
    print(
        f"  p50 {percentile(latencies, 0.50):.1f} ms   p95 {percentile(latencies, 0.95):.1f} ms"
        f"   p99 {percentile(latencies, 0.99):.1f} ms   mean {statistics.mean(latencies):.1f} ms"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak memory of the Rasa process: {peak:.0f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
