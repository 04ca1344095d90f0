"""Helpline agent accounts, from the command line only (there is no sign-up page).

.venv/bin/python -m bot.handoff_cli add-agent USERNAME     # asks for the password twice
"""

from __future__ import annotations

import getpass
import sys

from bot.handoff import HandoffError, HandoffStore
from bot.settings import get_settings


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "add-agent":
        print("usage: python -m bot.handoff_cli add-agent USERNAME", file=sys.stderr)
        return 2
    password = getpass.getpass("Password (12 characters or more): ")
    if password != getpass.getpass("Again: "):
        print("error: the passwords differ", file=sys.stderr)
        return 1
    try:
        HandoffStore(get_settings().handoff_db).add_agent(argv[1], password)
    except HandoffError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"agent {argv[1]!r} added")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
