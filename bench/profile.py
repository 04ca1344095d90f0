"""Where a turn's time goes at saturation, for our model or the default configuration's:
py-spy samples the `rasa run` process while 8 people send as fast as they are answered.

    .venv/bin/python -m bench.profile [ours|baseline] [seconds]

Prints each stage's share of the Rasa server thread's busy time (a stage includes what it calls)
and, from the share of the model's own work (the pipeline and the policies), how much faster
than this model one that cost nothing at all could be: the ceiling on a throughput ratio.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import aiohttp

from bench.load import BASELINE_CONFIG, ENV, OURS_CONFIG, rasa_pid, saturation, say, trained
from tests.harness import action_server, free_port, rasa_server

# (label, function, file): a sample counts for a stage when a frame of it is on the stack.
STAGES = [
    ("whole turn (Rasa's processor)", "handle_message", "processor.py"),
    ("reading the conversation back", "retrieve", "tracker_store.py"),
    ("saving the conversation", "save", "tracker_store.py"),
    ("NLU pipeline", "_parse_message_with_graph", "processor.py"),
    ("policies", "_predict_next_with_tracker", "processor.py"),
    ("the model's own work (graph nodes)", "__call__", "graph.py"),
    ("running actions", "_run_action", "processor.py"),
    ("checking the action server's answers", "_validate_action_result", ""),
]
MODEL_WORK = "the model's own work (graph nodes)"


def shares(raw: Path) -> dict[str, float]:
    """Each stage's share of the server thread's samples in py-spy's raw (collapsed stacks)
    output (thread-pool workers waiting for work would count as busy otherwise)."""
    counts, total = Counter[str](), 0
    for line in raw.read_text().splitlines():
        stack, _, samples = line.rpartition(" ")
        frames, n = stack.split(";"), int(samples)
        if not any(f.startswith("serve_application (") for f in frames):
            continue
        total += n
        for label, function, filename in STAGES:
            if any(f.startswith(f"{function} (") and filename in f for f in frames):
                counts[label] += n
    return {label: counts[label] / total for label, _, _ in STAGES} if total else {}


async def profile(model: Path, seconds: float, raw: Path) -> float:
    port, workdir = free_port(), Path(os.environ.get("TMPDIR", "/tmp")) / uuid.uuid4().hex[:8]
    workdir.mkdir()
    env = {**ENV, "HRA_WEB_ALLOWED_ORIGINS": f"http://127.0.0.1:{port}"}
    with (
        action_server(ENV) as actions,
        rasa_server(actions, env, workdir, port, model=model) as url,
    ):
        async with aiohttp.ClientSession() as client:
            await say(client, url, "warm-up", "hi")
        spy = subprocess.Popen(
            [str(Path(sys.executable).with_name("py-spy")), "record", "--pid", str(rasa_pid(port)),
             "--rate", "200", "--duration", str(int(seconds)), "--format", "raw",
             "--output", str(raw)],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )  # fmt: skip
        time.sleep(1)  # py-spy attaching
        throughput, _ = await saturation(url, 8, seconds)
        spy.wait(timeout=60)
    return throughput


def main(which: str = "baseline", seconds: float = 20.0) -> None:
    model, _ = trained(which, OURS_CONFIG if which == "ours" else BASELINE_CONFIG)
    raw = Path(os.environ.get("TMPDIR", "/tmp")) / f"profile-{which}.txt"
    throughput = asyncio.run(profile(model, seconds, raw))
    found = shares(raw)
    if not found:
        raise SystemExit(f"py-spy recorded nothing ({raw}): is ptrace allowed here?")
    print(f"{which}: {throughput:.1f} msg/s under py-spy; shares of the server thread's busy time:")
    for label, share in found.items():
        print(f"  {label:40}{share * 100:5.1f}%")
    print(f"a model that cost nothing: at most {1 / (1 - found[MODEL_WORK]):.2f}x this throughput")


if __name__ == "__main__":
    main(*(sys.argv[1:2] or ["baseline"]), *(float(a) for a in sys.argv[2:3]))
