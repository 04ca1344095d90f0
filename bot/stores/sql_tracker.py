"""Rasa's SQL tracker store, with each pooled connection tested before use.

endpoints.yml:  tracker_store: {type: bot.stores.sql_tracker.ResilientSQLTrackerStore,
                                dialect: postgresql, url: HOST, port: 5432, db: rasa, ...}

After a database restart every connection in Rasa's pool is dead; Rasa's store hands the next
message one of them, fails, and answers from an empty in-memory conversation instead (its
fail-safe), so that message loses its context: the region, or a pause while a helpline
worker has the conversation. `pool_pre_ping` replaces a dead connection first.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs


class ResilientSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rasas: sa.engine.Engine = self.engine  # type: ignore[has-type]
        url = rasas.url
        rasas.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
