"""Asking for a person through the trained model and a real action server whose clock the test
sets (Debian's faketime), so each path is tested whatever the hour CI runs at: closed, open with
nobody online, and a helpline open around the clock that stays open at 03:00 on a Saturday.
(Open with a worker online: test_handoff_end_to_end.py.)"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from rasa.utils.endpoints import EndpointConfig

from tests.harness import action_server, always_open_helpline, helpline_with_hours

SATURDAY_NIGHT = "2026-12-05 03:00:00"  # UTC: the example hours are closed everywhere
WEEKDAY_NOON = "2026-12-07 12:00:00"  # UTC, a Monday: open in London, not yet in New York
EXAMPLE_HOURS = (
    '  default: {timezone: Europe/London, mon-fri: "09:00-21:00", sat-sun: "10:00-18:00"}\n'
    '  united_states: {timezone: America/New_York, mon-fri: "09:00-21:00"}\n'
)


@contextmanager
def actions_at(agent, tmp_path, moment: str, helpline):
    """Points the shared agent at an action server of its own whose clock reads `moment`."""
    env = {
        "HRA_HANDOFF_DB": f"sqlite:///{tmp_path / 'handoff.db'}",
        "HRA_HELPLINE_CONFIG": str(helpline),
    }
    with action_server(env, moment=moment) as url:
        shared = agent.processor.action_endpoint
        agent.processor.action_endpoint = EndpointConfig(url)
        try:
            yield
        finally:
            agent.processor.action_endpoint = shared


async def ask_for_a_person(chat, region: str | None = None) -> str:
    if region:
        await chat(f'/referral_set_region{{"region":"{region}"}}')
    replies = await chat("can i talk to someone real")
    return replies[0]["text"]


async def test_closed_hours_say_when_it_opens_and_give_the_24_7_lines(agent, chat, tmp_path):
    with actions_at(agent, tmp_path, SATURDAY_NIGHT, helpline_with_hours(tmp_path, EXAMPLE_HOURS)):
        reply = await ask_for_a_person(chat)
    assert reply.startswith("Our helpline is closed now: it opens today at 10:00 GMT"), reply
    assert "open 24/7" in reply and "Samaritans" in reply and "call 999 now" in reply


async def test_open_hours_with_nobody_online_say_nobody_is_free(agent, chat, tmp_path):
    with actions_at(agent, tmp_path, WEEKDAY_NOON, helpline_with_hours(tmp_path, EXAMPLE_HOURS)):
        reply = await ask_for_a_person(chat)
    assert reply.startswith("Sorry, nobody from our helpline is free"), reply


async def test_the_same_moment_is_closed_in_a_region_whose_hours_have_not_begun(
    agent, chat, tmp_path
):
    with actions_at(agent, tmp_path, WEEKDAY_NOON, helpline_with_hours(tmp_path, EXAMPLE_HOURS)):
        reply = await ask_for_a_person(chat, "united_states")
    assert reply.startswith("Our helpline is closed now: it opens today at 09:00 EST"), reply
    assert "911" in reply


@pytest.mark.parametrize("moment", [SATURDAY_NIGHT, WEEKDAY_NOON])
async def test_the_shared_servers_always_open_helpline_is_open_at_any_hour(
    agent, chat, tmp_path, moment
):
    """The shared action server's hours: what the other conversation tests rely on."""
    with actions_at(agent, tmp_path, moment, always_open_helpline(tmp_path)):
        reply = await ask_for_a_person(chat)
    assert reply.startswith("Sorry, nobody from our helpline is free"), reply
