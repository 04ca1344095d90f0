"""Helpline agent accounts, from the command line only (there is no sign-up page).

.venv/bin/python -m bot.handoff_cli add-agent USERNAME                    # asks twice
printf '%s\n' "$PASSWORD" | .venv/bin/python -m bot.handoff_cli add-agent USERNAME --password-stdin
"""

from __future__ import annotations

import getpass
import sys

from bot.handoff import HandoffError, HandoffStore
from bot.settings import get_settings

USAGE = "usage: python -m bot.handoff_cli add-agent USERNAME [--password-stdin]"


def read_password(from_stdin: bool) -> str | None:
    if from_stdin:  # for provisioning scripts: never on the command line, where ps shows it
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass("Password (12 characters or more): ")
    if password != getpass.getpass("Again: "):
        print("error: the passwords differ", file=sys.stderr)
        return None
    return password


def main(argv: list[str]) -> int:
    flags = [arg for arg in argv if arg.startswith("--")]
    words = [arg for arg in argv if not arg.startswith("--")]
    if len(words) != 2 or words[0] != "add-agent" or set(flags) - {"--password-stdin"}:
        print(USAGE, file=sys.stderr)
        return 2
    password = read_password("--password-stdin" in flags)
    if password is None:
        return 1
    try:
        HandoffStore(get_settings().handoff_db).add_agent(words[1], password)
    except HandoffError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"agent {words[1]!r} added")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
