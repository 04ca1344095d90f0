"""Rasa's SQL tracker store, with each pooled connection tested before use and a cheaper read.

endpoints.yml:  tracker_store: {type: bot.stores.sql_tracker.ResilientSQLTrackerStore,
                                dialect: postgresql, url: HOST, port: 5432, db: rasa, ...}

After a database restart every connection in Rasa's pool is dead; Rasa's store hands the next
message one of them, fails, and answers from an empty in-memory conversation instead (its
fail-safe), so that message loses its context: the region, or a pause while a helpline
worker has the conversation. `pool_pre_ping` replaces a dead connection first.

Every message reads the whole conversation back. Rasa's read builds an ORM object per event
and finds each event's class by walking all of Event's subclasses with `inspect`: 40% of a
turn at saturation (py-spy, README "Benchmarks"). This read takes only the JSON column and
looks the classes up in a table made once; the events it returns are the same.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
import ujson
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses


class ResilientSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rasas: sa.engine.Engine = self.engine  # type: ignore[has-type]
        url = rasas.url
        rasas.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        with self.session_scope() as session:
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions)
            rows = query.with_entities(self.SQLEvent.data).all()
        if not self.domain or not rows:
            return None
        events = events_from_json(data for (data,) in rows)
        return DialogueStateTracker.from_events(sender_id, events, self.domain.slots)


@functools.cache
def _event_classes() -> dict[str, type[Event]]:
    """Event classes by type name, the first one winning as in `Event.resolve_by_type`."""
    classes: dict[str, type[Event]] = {}
    for cls in all_subclasses(Event):
        classes.setdefault(cls.type_name, cls)
    return classes


def events_from_json(serialised: Iterable[str]) -> list[Event]:
    """What `rasa.shared.core.events.deserialise_events` makes of the stored JSON."""
    classes, events = _event_classes(), []
    for data in serialised:
        parameters = ujson.loads(data)
        name = parameters.get("event")
        if name is None:
            continue
        cls = classes.get(name)
        event = cls._from_parameters(parameters) if cls else Event.from_parameters(parameters)
        if event is not None:
            events.append(event)
    return events
