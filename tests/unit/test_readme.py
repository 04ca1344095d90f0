"""README stays true: its two commands are on the first screen and every path it names exists."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def test_the_two_commands_are_on_the_first_screen():
    first_screen = "\n".join(README.splitlines()[:25])
    assert "make run" in first_screen and "make test" in first_screen


def test_every_path_in_the_file_map_exists():
    rows = [
        line for line in README[README.index("## Files") :].splitlines() if line.startswith("| `")
    ]
    assert len(rows) > 10
    for row in rows:
        path_cell, description = row.split("|")[1:3]
        paths = re.findall(r"`([\w./-]+)`", path_cell)
        for path in paths:
            assert (ROOT / path).exists(), path
        # Names in the description are inside the row's folder, e.g. `crisis.yml` in bot/content/.
        base = ROOT / paths[0]
        for name in re.findall(r"`([\w./-]+)`", description):
            if not name.startswith(("make", "pytest")):
                assert (base / name).exists() or (ROOT / name).exists(), (row, name)
