"""Does signing in to the helpline console slow the chat? Chat latency over REST while idle,
then during a burst of anonymous sign-in attempts, against a real `rasa run`. The worst case:
every attempt names another username from another address (as nginx would report it), as a
botnet would, so neither a per-address limit nor a per-username back-off holds it back.

    .venv/bin/python -m bench.console_sign_in [attackers] [messages]

Prints p50/p95 chat latency for both phases and how the sign-in attempts were answered.
"""

from __future__ import annotations

import asyncio
import re
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from tempfile import TemporaryDirectory

import aiohttp

from bench.crisis_latency import percentile
from bot.handoff import HandoffStore
from tests.harness import action_server, rasa_server

# Trust one proxy (as deploy/hra.env.example should), so each attacker's X-Forwarded-For is
# its address; the chat's own rate limit is lifted: one sender sends far faster than people.
ENV = {
    "SANIC_PROXIES_COUNT": "1",
    "HRA_MESSAGES_PER_MINUTE": "1000000",
    "HRA_MESSAGE_BURST": "1000000",
}


async def chat_latencies(base: str, count: int) -> list[float]:
    """Milliseconds per REST message, one at a time, each from a new sender."""
    times = []
    async with aiohttp.ClientSession() as client:
        for _ in range(count):
            started = time.perf_counter()
            async with client.post(
                f"{base}/webhooks/rest/webhook",
                json={"sender": f"bench-{uuid.uuid4().hex[:8]}", "message": "what is naloxone"},
            ) as answer:
                await answer.read()
            times.append((time.perf_counter() - started) * 1000)
    return times


async def attacker(base: str, number: int, stop: asyncio.Event, answers: Counter) -> None:
    """Tries to sign in as fast as the console answers, each time as someone else."""
    login = f"{base}/webhooks/helpline/login"
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as client:
        for attempt in range(1_000_000):
            if stop.is_set():
                return
            headers = {"X-Forwarded-For": f"10.{number}.{attempt // 250 % 250}.{attempt % 250}"}
            async with client.get(login, headers=headers) as page:
                found = re.search(r'name="csrf" value="([^"]+)"', await page.text())
            form = {"csrf": found.group(1) if found else "", "username": f"guess{attempt}"}
            async with client.post(
                login, data={**form, "password": "x"}, headers=headers, allow_redirects=False
            ) as answer:
                answers[answer.status] += 1


def summary(name: str, times: list[float]) -> str:
    return f"{name}: p50 {percentile(times, 0.5):.0f} ms, p95 {percentile(times, 0.95):.0f} ms"


async def measure(base: str, attackers: int, messages: int) -> None:
    await chat_latencies(base, 5)  # warm up
    print(summary("chat, idle", await chat_latencies(base, messages)))
    stop, answers = asyncio.Event(), Counter()
    tasks = [asyncio.create_task(attacker(base, n + 1, stop, answers)) for n in range(attackers)]
    await asyncio.sleep(1)  # the burst under way
    burst = await chat_latencies(base, messages)
    stop.set()
    await asyncio.gather(*tasks)
    print(summary(f"chat, {attackers} attackers signing in", burst))
    print("sign-in answers:", dict(answers))


def main(attackers: int = 8, messages: int = 40) -> None:
    with TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        HandoffStore(f"sqlite:///{workdir / 'handoff.db'}").add_agent("sam", "a long enough secret")
        with action_server() as actions, rasa_server(actions, ENV, workdir) as base:
            asyncio.run(measure(base, attackers, messages))


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
