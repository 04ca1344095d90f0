"""No user text in log records and no forged lines, whatever logs it and at which level."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
import structlog

from bot import log_privacy
from bot.log_privacy import HIDDEN, hidden

TEXT = "my number is 07700 900123 and I took 2 pills"


@pytest.fixture
def records():
    """The records a debug-level logger makes, with the cleaning factory installed (and the
    previous factory put back afterwards)."""
    previous = logging.getLogRecordFactory()
    log_privacy.install()
    log_privacy.install()  # twice: still one layer
    kept: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            kept.append(record)

    logger = logging.getLogger("rasa.test_log_privacy")
    handler = Keep(level=logging.DEBUG)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield logger, kept
    logger.removeHandler(handler)
    logging.setLogRecordFactory(previous)


def formatted(record: logging.LogRecord) -> str:
    return logging.Formatter("%(levelname)s %(message)s").format(record)


def test_installing_twice_wraps_the_factory_once(records):
    factory = logging.getLogRecordFactory()
    assert isinstance(factory, log_privacy._Cleaning)
    assert not isinstance(factory.previous, log_privacy._Cleaning)


def test_the_text_being_handled_is_hidden_at_every_level_and_in_every_form(records):
    logger, kept = records
    with hidden(TEXT):
        logger.debug("Received user message '%s' with intent", TEXT)
        logger.info("parse data %s", {"text": TEXT})  # repr of a dict
        logger.warning(json.dumps({"event": "message.parsing.failed", "user_text": TEXT}))
        logger.error(f"failed on {TEXT!r}")
    lines = [formatted(record) for record in kept]
    assert len(lines) == 4 and all(HIDDEN in line for line in lines)
    assert not any("07700" in line or "pills" in line for line in lines)


def test_every_form_the_message_takes_is_hidden(records):
    logger, kept = records
    with hidden("/restart my mate at 07700 900123") as hide:
        hide("restart my mate at 07700 900123")  # as typed, without the slash
        hide("restart my mate at [phone number]")  # masked, as Rasa is given it
        logger.debug("Received user message 'restart my mate at [phone number]'")
    assert "restart my mate" not in formatted(kept[0])


def test_a_short_message_is_hidden_only_as_a_whole_word(records):
    logger, kept = records
    with hidden("hi"):
        logger.debug("Received user message 'hi' from this channel")
    assert formatted(kept[0]) == f"DEBUG Received user message '{HIDDEN}' from this channel"


def test_outside_a_message_nothing_is_hidden(records):
    logger, kept = records
    with hidden(TEXT):
        pass
    logger.info("the word pills, said by the server itself")
    assert "pills" in formatted(kept[0])


def test_a_newline_in_user_text_cannot_forge_a_log_line(records):
    logger, kept = records
    forged = "hello\n2026-12-03 12:00:00 ERROR    rasa.core  - admin signed in\r\u2028"
    logger.info("got %s", forged)  # even when the text is not known as a message's
    line = formatted(kept[0])
    assert "\n" not in line and "\r" not in line and "\u2028" not in line
    assert line.startswith("INFO got hello\\n2026-12-03")


def test_a_traceback_keeps_its_lines_but_not_the_text(records):
    logger, kept = records
    with hidden(TEXT):
        try:
            raise ValueError(f"cannot read {TEXT}")
        except ValueError:
            logger.exception("handling failed")
    text = formatted(kept[0])
    assert "Traceback" in text and "\n" in text and "07700" not in text and HIDDEN in text


def test_a_broken_format_string_is_logged_without_its_arguments(records):
    logger, kept = records
    with hidden(TEXT):
        logger.info("%d messages", TEXT)
    assert formatted(kept[0]) == "INFO (unformattable log message from rasa.test_log_privacy)"


async def test_tasks_and_threads_started_while_handling_hide_it_too(records):
    logger, kept = records

    def in_thread():
        logger.info("thread saw %s", TEXT)

    async def in_task():
        logger.info("task saw %s", TEXT)

    with hidden(TEXT):
        await asyncio.to_thread(in_thread)
        await asyncio.create_task(in_task())
    assert [formatted(record) for record in kept] == [
        f"INFO thread saw {HIDDEN}",
        f"INFO task saw {HIDDEN}",
    ]


def test_structlog_events_as_rasa_configures_them_are_hidden(records, capsys):
    """Rasa renders structlog events to JSON and hands the string to a stdlib logger."""
    _, kept = records
    structlog.configure(
        processors=[structlog.processors.JSONRenderer()],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG),
        cache_logger_on_first_use=False,
    )
    try:
        with hidden(TEXT):
            structlog.get_logger("rasa.test_log_privacy").warning(
                "message.parsing.failed", user_text=TEXT
            )
    finally:
        structlog.reset_defaults()
    assert len(kept) == 1 and "07700" not in formatted(kept[0]) and HIDDEN in formatted(kept[0])
