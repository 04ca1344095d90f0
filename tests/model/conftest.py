"""The trained model with a real action server: conversations as a person has them."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from tests.browser import launch
from tests.fakes.telegram_server import FakeTelegram
from tests.harness import action_server, always_open_helpline, load_agent


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.model)


@pytest.fixture(scope="session")
def action_server_url(tmp_path_factory):
    """The action server most model tests share: its helpline is open around the clock and its
    handoff store has no agents, so asking for a person gets "nobody is free" at any hour
    (closed hours: test_helpline_hours.py)."""
    workdir = tmp_path_factory.mktemp("actions")
    env = {
        "HRA_HANDOFF_DB": f"sqlite:///{workdir / 'handoff.db'}",
        "HRA_HELPLINE_CONFIG": str(always_open_helpline(workdir)),
    }
    with action_server(env) as url:
        yield url


@pytest.fixture(scope="session")
async def agent(action_server_url):
    try:
        return load_agent(action_server_url)
    except FileNotFoundError as error:
        pytest.fail(str(error))


@pytest.fixture
def chat(agent):
    """Sends messages as one person; returns the bot's replies to each message."""
    sender = f"test-{uuid.uuid4().hex[:8]}"

    async def say(text: str) -> list[dict]:
        return await agent.handle_text(text, sender_id=sender) or []

    return say


@pytest.fixture(scope="module")
async def telegram():
    """A fake Telegram Bot API server for a module's Rasa server to talk to."""
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture(scope="module")
async def browser():
    """Debian's Chromium, headless, for a module's browser tests."""
    async with async_playwright() as playwright:
        launched = await launch(playwright)
        yield launched
        await launched.close()
