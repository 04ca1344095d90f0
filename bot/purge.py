"""`make purge`: deletes conversations and helpline tickets older than HRA_RETENTION_DAYS
(default 30) from the tracker store named in endpoints.yml and the handoff store. The Rasa
server also does this once a day by itself (bot/channels/housekeeping.py).

.venv/bin/python -m bot.purge [--endpoints endpoints.yml]
"""

from __future__ import annotations

import argparse
import sys

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.core.utils import AvailableEndpoints
from rasa.shared.utils.common import class_from_module_path

from bot.privacy import cutoff_for, purge
from bot.settings import get_settings


def _is_sql(store_type: str) -> bool:
    """Rasa's "sql", or a class of ours built on it (endpoints.yml names one: without this,
    `make purge` took our store for "not SQL" and purged nothing)."""
    if store_type.lower() == "sql":
        return True
    try:
        store = class_from_module_path(store_type)
    except (ImportError, AttributeError):
        return False
    return isinstance(store, type) and issubclass(store, SQLTrackerStore)


def tracker_engine(endpoints_file: str) -> sa.engine.Engine | None:
    """The SQL tracker store's database, or None when the store is not SQL."""
    config = AvailableEndpoints.read_endpoints(endpoints_file).tracker_store
    if config is None or not _is_sql(str(config.type)):
        return None
    kwargs = config.kwargs
    url = SQLTrackerStore.get_db_url(
        dialect=kwargs.get("dialect", "sqlite"),
        host=kwargs.get("url"),
        port=kwargs.get("port"),
        db=kwargs.get("db", "rasa.db"),
        username=kwargs.get("username"),
        password=kwargs.get("password"),
        login_db=kwargs.get("login_db"),
        query=kwargs.get("query"),
    )
    return sa.create_engine(url, future=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.purge", description=__doc__.split("\n")[0])
    parser.add_argument("--endpoints", default="endpoints.yml")
    args = parser.parse_args(argv)
    settings = get_settings()
    tracker = tracker_engine(args.endpoints)
    if tracker is None:
        print("the tracker store is not SQL: nothing kept on disk to purge", file=sys.stderr)
    handoff = sa.create_engine(settings.handoff_db, future=True)
    done = purge(tracker, handoff, cutoff_for(settings.retention_days))
    print(
        f"older than {settings.retention_days} days: deleted {done.events} events "
        f"({done.conversations} conversations wholly) and {done.tickets} helpline tickets"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
