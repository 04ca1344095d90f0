"""No test depends on when it runs: bot/ reads one clock, tests fix it, and the suite gives the
same answers with the machine's clock moved to a Saturday night or a Monday morning."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot import clock
from tests.conftest import TEST_NOW
from tests.harness import without_faketime

ROOT = Path(__file__).resolve().parents[2]
# Calls that read the wall clock. time.monotonic stays allowed: it measures intervals, which
# do not depend on the hour or the day.
WALL_CLOCK = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today"), ("time", "time")}


def wall_clock_reads(source: str) -> list[int]:
    """The lines of `source` that call one of WALL_CLOCK."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if (name, node.func.attr) in WALL_CLOCK:
                found.append(node.lineno)
    return found


def test_only_the_clock_module_reads_the_wall_clock():
    sources = [*ROOT.glob("bot/**/*.py"), *ROOT.glob("actions/**/*.py")]
    tests = [*ROOT.glob("tests/unit/*.py"), *ROOT.glob("tests/actions/*.py")]
    reads = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sources + tests
        if path != ROOT / "bot" / "clock.py"
        for line in wall_clock_reads(path.read_text())
    ]
    assert reads == [], "read bot.clock (or take `now`) instead of the wall clock"


def test_the_guard_recognises_each_way_of_reading_the_wall_clock():
    sample = (
        "import time, datetime as dt\nfrom datetime import date, datetime\n"
        "a = datetime.now()\nb = time.time()\nc = dt.datetime.utcnow()\nd = date.today()\n"
        "e = time.monotonic()\nf = datetime.fromtimestamp(0)\n"
    )
    assert wall_clock_reads(sample) == [3, 4, 5, 6]


def test_tests_see_a_fixed_clock_that_moves_only_when_told(fixed_clock):
    assert clock.utc_now() == TEST_NOW
    assert clock.naive_utc_now() == TEST_NOW.replace(tzinfo=None)
    fixed_clock.advance(minutes=90)
    assert clock.utc_now() == TEST_NOW + timedelta(minutes=90)
    fixed_clock.set(datetime(2026, 12, 5, 3, 0, tzinfo=timezone.utc))
    assert clock.epoch_seconds() == datetime(2026, 12, 5, 3, 0, tzinfo=timezone.utc).timestamp()


def test_a_fixed_clock_refuses_a_time_without_a_zone():
    with pytest.raises(ValueError, match="aware"):
        clock.FixedClock(datetime(2026, 12, 5, 3, 0))


def test_the_real_clock_is_back_after_a_test_replaces_it():
    previous = clock.use(clock.FixedClock(TEST_NOW))
    assert clock.utc_now() == TEST_NOW
    clock.use(previous)
    assert clock.utc_now() == TEST_NOW  # the autouse fixture's clock, put back


# A Saturday night when the example helpline is closed, in the machine's zone; and the last
# minute of a Sunday in a zone far from London, a Monday morning there.
MOMENTS = [("2026-12-05 03:00:00", "UTC"), ("2026-12-06 23:59:30", "America/Los_Angeles")]


def test_a_moved_clock_reads_the_moment_given_even_inside_another_faketime():
    """`faketime ... make test` must not bend the moments the suite sets for itself."""
    read_clock = [sys.executable, "-c", "import time; print(int(time.time()))"]
    outer = {**os.environ, "TZ": "UTC"}
    inner = ["faketime", "2026-12-07 12:00:00", *read_clock]
    nested = [
        "faketime",
        "2026-12-05 03:00:00",
        sys.executable,
        "-c",
        (
            "import os, subprocess, sys; from tests.harness import without_faketime; "
            f"sys.exit(subprocess.call({inner!r}, env=without_faketime(os.environ)))"
        ),
    ]
    output = subprocess.run(nested, cwd=ROOT, env=outer, capture_output=True, text=True)
    moment = datetime(2026, 12, 7, 12, tzinfo=timezone.utc).timestamp()
    assert abs(int(output.stdout) - moment) < 60, output


def test_the_unit_and_action_tests_pass_whatever_the_machines_clock_says(request):
    """Runs every other unit and action test with the machine's clock moved (libfaketime), the
    moments in parallel: a test that reads the real clock where it should not fails here."""
    assert shutil.which("faketime"), "needs Debian's faketime: `make install` installs it"
    pytest_args = ["-q", "-x", "-p", "no:cacheprovider", "-m", "not model and not integration"]
    pytest_args += ["--deselect", request.node.nodeid, "tests/unit", "tests/actions"]
    runs = [
        subprocess.Popen(
            ["faketime", moment, sys.executable, "-m", "pytest", *pytest_args],
            cwd=ROOT,
            env={**without_faketime(os.environ), "TZ": zone},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for moment, zone in MOMENTS
    ]
    for (moment, zone), run in zip(MOMENTS, runs, strict=True):
        output, _ = run.communicate(timeout=600)
        assert run.returncode == 0, f"at {moment} ({zone}):\n{output[-3000:]}"
        assert " passed" in output and "failed" not in output
