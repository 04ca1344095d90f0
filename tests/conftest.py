"""Shared fixtures: the merged domain, a tracker factory, a fresh dispatcher per test, a
handoff store of each test's own (never var/handoff.db), and a fixed clock."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

ROOT = Path(__file__).resolve().parents[1]
TEST_NOW = datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)  # a Wednesday, midday in London


@pytest.fixture(autouse=True)
def fixed_clock(request):
    """bot/ reads a clock that stands at TEST_NOW until a test moves it, so no test depends
    on when it runs. Tests of real servers (marked model or integration) keep the real clock:
    a server in another process could not share a fixed one."""
    from bot import clock

    if request.node.get_closest_marker("model") or request.node.get_closest_marker("integration"):
        yield None
        return
    fixed = clock.FixedClock(TEST_NOW)
    previous = clock.use(fixed)
    yield fixed
    clock.use(previous)


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    """The domain as Rasa sees it: domain.yml plus the answers beside the NLU examples."""
    from rasa.shared.importers.importer import TrainingDataImporter
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    importer = TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain.yml"), [str(ROOT / "data")]
    )
    return importer.get_domain().as_dict()


@pytest.fixture(autouse=True)
def own_handoff_store(tmp_path, monkeypatch):
    """Every test gets an empty handoff store in its own directory."""
    from bot.handoff import handoff_store
    from bot.settings import get_settings

    monkeypatch.setenv("HRA_HANDOFF_DB", f"sqlite:///{tmp_path / 'handoff.db'}")
    get_settings.cache_clear()
    handoff_store.cache_clear()
    yield
    get_settings.cache_clear()
    handoff_store.cache_clear()


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture
def make_tracker():
    """Builds a rasa-sdk Tracker for one user message, as the action server receives it."""

    def build(
        text: str = "",
        intent: str = "chat_greet",
        entities: list[dict[str, Any]] | None = None,
        slots: dict[str, Any] | None = None,
        ranking: list[dict[str, Any]] | None = None,
        events: list[dict[str, Any]] | None = None,
        channel: str | None = None,
        sender_id: str = "test-user",
    ) -> Tracker:
        latest = {
            "text": text,
            "intent": {"name": intent, "confidence": 1.0},
            "entities": entities or [],
            "intent_ranking": ranking or [{"name": intent, "confidence": 1.0}],
        }
        return Tracker(
            sender_id=sender_id,
            slots={
                "region": None,
                "emergency_number": "999",
                "need": None,
                "awaiting_region": False,
                **(slots or {}),
            },
            latest_message=latest,
            events=[
                *(events or []),
                {"event": "user", "text": text, "parse_data": latest, "input_channel": channel},
            ],
            paused=False,
            followup_action=None,
            active_loop={},
            latest_action_name="action_listen",
        )

    return build
