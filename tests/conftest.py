"""Shared fixtures: the merged domain, a tracker factory, a fresh dispatcher per test, and a
handoff store of each test's own (never var/handoff.db)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

ROOT = Path(__file__).resolve().parents[1]


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
