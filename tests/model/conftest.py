"""The trained model with a real action server: conversations as a person has them."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from tests.browser import launch
from tests.fakes.telegram_server import FakeTelegram
from tests.harness import action_server, load_agent


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.model)


@pytest.fixture(scope="session")
def action_server_url(tmp_path_factory):
    """The action server most model tests share; its handoff store has no agents, so asking
    for a person gets the offline reply."""
    store = tmp_path_factory.mktemp("actions") / "handoff.db"
    with action_server({"HRA_HANDOFF_DB": f"sqlite:///{store}"}) as url:
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
