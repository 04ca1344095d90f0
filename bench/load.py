"""Many people at once, over REST and the web chat's socket.io, against Rasa's default
configuration trained on the same data in the same run, so the figures are ratios that hold
on a noisy machine. Each model runs in a real `rasa run` (SQLite tracker store, the real
action server), one at a time.

    make bench                 # or: .venv/bin/python -m bench.load [seconds]
    .venv/bin/python -m bench.load 20 --ours   # only the trained models/assistant.tar.gz

Per model: training time, cold start (process start to the first answer), memory (RSS of the
Rasa process), held-out NLU accuracy (tests/nlu/), latency p50/p95/p99 at a steady
10 messages a second over REST and over socket.io, and saturation throughput (8 people
sending as fast as they get answers). The baseline model is trained once and kept in
bench/models/ until the data or its configuration change (about 15 minutes on 2 cores).
The rate limit is lifted for the run: the simulated people send far faster than people do.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import subprocess
import sys
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

import aiohttp

from bench.crisis_latency import percentile
from tests.harness import ROOT, action_server, free_port, rasa_server
from tests.model.test_heldout_nlu import heldout_examples, is_right
from tests.socketio_client import client as socketio_client  # engineio on rasa's aiohttp

BENCH = Path(__file__).resolve().parent
MODELS = BENCH / "models"
RESULTS = BENCH / "results"
OURS_CONFIG, BASELINE_CONFIG = ROOT / "config.yml", BENCH / "default_config.yml"
ENV = {  # the load is the point: no limit may answer in the server's place
    "HRA_MESSAGES_PER_MINUTE": "1000000",
    "HRA_MESSAGE_BURST": "1000000",
    "HRA_SERVER_MESSAGES_PER_MINUTE": "1000000",
    "HRA_SERVER_MESSAGE_BURST": "1000000",
}
MESSAGES = [
    "hi",
    "how do i use narcan",
    "what is naloxone",
    "how long does withdrawal last",
    "is subutex better than methadone",
    "can u get naloxone free",
    "rattling day 2 cant sleep",
    "what are the signs of an overdose",
    "is it safe to mix benzos and heroin",
    "who can i ring for drugs advice",
    "my mate wont wake up",
    "where can i get clean needles",
    "how do i help my son who uses",
    "thanks",
]


@dataclass
class Figures:
    model: str
    training_s: float
    cold_start_s: float
    rss_mb: float
    heldout_accuracy: float
    rest_p50_ms: float
    rest_p95_ms: float
    rest_p99_ms: float
    socketio_p50_ms: float
    socketio_p95_ms: float
    socketio_p99_ms: float
    saturation_msg_s: float
    saturation_p95_ms: float


def fingerprint(config: Path) -> str:
    """What a model is trained from: its config, the domain and the training data."""
    digest = hashlib.sha256(config.read_bytes())
    for path in sorted([ROOT / "domain.yml", *(ROOT / "data").rglob("*.yml")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def trained(name: str, config: Path) -> tuple[Path, float]:
    """The model for `config` (trained now if the data changed) and how long training took."""
    MODELS.mkdir(exist_ok=True)
    key = fingerprint(config)
    model, timing = MODELS / f"{name}-{key}.tar.gz", MODELS / f"{name}-{key}.json"
    if model.exists() and timing.exists():
        return model, json.loads(timing.read_text())["training_s"]
    print(f"training {name} ({config.name}) ...", flush=True)
    started = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).with_name("rasa")), "train", "--config", str(config),
         "--out", str(MODELS), "--fixed-model-name", f"{name}-{key}"],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
        # No training cache: each model's figure is a training from nothing.
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false", "RASA_MAX_CACHE_SIZE": "0"},
    )  # fmt: skip
    seconds = time.perf_counter() - started
    timing.write_text(json.dumps({"training_s": seconds}))
    return model, seconds


def rasa_pid(port: int) -> int | None:
    """The `rasa run` listening on `port` (found by its command line)."""
    for proc in Path("/proc").iterdir():
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"run" in args and str(port).encode() in args and any(b"rasa" in a for a in args[:2]):
            return int(proc.name)
    return None


def rss_mb(port: int) -> float:
    """Resident memory of the `rasa run` listening on `port`."""
    pid = rasa_pid(port)
    if pid is None:
        return float("nan")
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def say(client: aiohttp.ClientSession, url: str, sender: str, text: str) -> float:
    started = time.perf_counter()
    async with client.post(
        f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}
    ) as answer:
        replies = await answer.json()
    if answer.status != 200 or not replies:
        raise AssertionError(f"no answer to {text!r}: {answer.status} {replies}")
    return (time.perf_counter() - started) * 1000


async def steady_rest(url: str, rate: float, seconds: float) -> list[float]:
    """Open loop: a message every 1/rate seconds whatever the answers, from 50 people."""
    people = [f"steady-{uuid.uuid4().hex[:6]}" for _ in range(50)]
    async with aiohttp.ClientSession() as client:
        started, tasks = time.perf_counter(), []
        for n in range(int(rate * seconds)):
            await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
            text = MESSAGES[n % len(MESSAGES)]
            tasks.append(asyncio.create_task(say(client, url, people[n % len(people)], text)))
        return list(await asyncio.gather(*tasks))


async def steady_socketio(url: str, rate: float, seconds: float) -> list[float]:
    """As steady_rest, over socket.io: time from sending to the first message back."""
    clients, waiting = [], []
    for _ in range(10):
        client = socketio_client()
        answered: asyncio.Queue = asyncio.Queue()
        client.on(
            "bot_uttered", lambda message, queue=answered: queue.put_nowait(time.perf_counter())
        )
        await client.connect(url, headers={"Origin": url}, transports=["websocket"])
        await client.emit("session_request", {"session_id": None})
        clients.append(client)
        waiting.append(answered)
    await asyncio.sleep(1)

    async def one(n: int) -> float:
        client, answered = clients[n % len(clients)], waiting[n % len(clients)]
        while not answered.empty():  # the rest of earlier replies
            answered.get_nowait()
        sent = time.perf_counter()
        await client.emit("user_uttered", {"message": MESSAGES[n % len(MESSAGES)]})
        return (await asyncio.wait_for(answered.get(), 30) - sent) * 1000

    started, tasks = time.perf_counter(), []
    for n in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(one(n)))
    latencies = list(await asyncio.gather(*tasks))
    for client in clients:
        await client.disconnect()
    return latencies


async def saturation(url: str, people: int, seconds: float) -> tuple[float, list[float]]:
    """Closed loop: each person sends their next message as soon as they are answered."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def person(client: aiohttp.ClientSession, n: int) -> None:
        sender, turn = f"busy-{uuid.uuid4().hex[:6]}", n
        while time.perf_counter() < deadline:
            latencies.append(await say(client, url, sender, MESSAGES[turn % len(MESSAGES)]))
            turn += 1

    async with aiohttp.ClientSession() as client:
        started = time.perf_counter()
        await asyncio.gather(*(person(client, n) for n in range(people)))
        return len(latencies) / (time.perf_counter() - started), latencies


async def heldout_accuracy(url: str) -> float:
    """Top-1 intent on tests/nlu/ through the server's NLU, counted as the held-out test does."""
    examples = heldout_examples()
    right = 0
    async with aiohttp.ClientSession() as client:
        for text, intent in examples:
            async with client.post(f"{url}/model/parse", json={"text": text}) as answer:
                right += is_right(intent, (await answer.json())["intent"]["name"])
    return right / len(examples)


async def measure(name: str, model: Path, training_s: float, actions: str, seconds: float):
    port, workdir = (
        free_port(),
        Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-{uuid.uuid4().hex[:6]}",
    )
    workdir.mkdir()
    started = time.perf_counter()
    env = {**ENV, "HRA_WEB_ALLOWED_ORIGINS": f"http://127.0.0.1:{port}"}
    with rasa_server(actions, env, workdir, port, model=model) as url:
        async with aiohttp.ClientSession() as client:
            await say(client, url, "cold-start", "hi")
        cold = time.perf_counter() - started
        await steady_rest(url, 10, 5)  # warm-up
        rest = await steady_rest(url, 10, seconds)
        sio = await steady_socketio(url, 10, seconds)
        throughput, busy = await saturation(url, 8, seconds)
        accuracy = await heldout_accuracy(url)
        memory = rss_mb(port)
    return Figures(
        name, round(training_s, 1), round(cold, 1), round(memory), round(accuracy * 100, 1),
        *(round(percentile(rest, f), 1) for f in (0.5, 0.95, 0.99)),
        *(round(percentile(sio, f), 1) for f in (0.5, 0.95, 0.99)),
        round(throughput, 1), round(percentile(busy, 0.95), 1),
    )  # fmt: skip


def table(rows: list[Figures]) -> str:
    ours, base = rows
    lines = [f"{'':24}{'ours':>10}{'baseline':>10}{'ratio':>8}"]
    for field in asdict(ours):
        if field == "model":
            continue
        a, b = getattr(ours, field), getattr(base, field)
        ratio = f"{a / b:.2f}" if b else "-"
        lines.append(f"{field:24}{a:>10}{b:>10}{ratio:>8}")
    return "\n".join(lines)


def ours_only(seconds: float) -> None:
    """Our trained model alone (no baseline to train): its latency and cold start."""
    logging.disable(logging.WARNING)
    with action_server(ENV) as actions:
        row = asyncio.run(
            measure("ours", ROOT / "models" / "assistant.tar.gz", 0, actions, seconds)
        )
    for field, value in asdict(row).items():
        print(f"{field:24}{value:>10}")


def main(seconds: float = 20.0) -> None:
    logging.disable(logging.WARNING)
    ours_model, ours_training = trained("ours", OURS_CONFIG)
    base_model, base_training = trained("baseline", BASELINE_CONFIG)
    with action_server(ENV) as actions:
        rows = [
            asyncio.run(measure("ours", ours_model, ours_training, actions, seconds)),
            asyncio.run(measure("baseline", base_model, base_training, actions, seconds)),
        ]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "load.json").write_text(json.dumps([asdict(row) for row in rows], indent=2))
    print(table(rows))
    print(f"(steady: 10 msg/s for {seconds:.0f} s; saturation: 8 people, {seconds:.0f} s)")


if __name__ == "__main__":
    numbers = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    duration = float(numbers[0]) if numbers else 20.0
    ours_only(duration) if "--ours" in sys.argv else main(duration)
