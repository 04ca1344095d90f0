"""Tokens the server issues: only ours, only for their purpose, only while fresh."""

from __future__ import annotations

import stat

import pytest

from bot import signing
from bot.settings import get_settings


@pytest.fixture(autouse=True)
def own_key(tmp_path, monkeypatch):
    monkeypatch.delenv("HRA_SECRET_KEY", raising=False)
    monkeypatch.setenv("HRA_KEY_FILE", str(tmp_path / "var" / "secret.key"))
    get_settings.cache_clear()
    signing.secret_key.cache_clear()
    yield tmp_path / "var" / "secret.key"
    get_settings.cache_clear()
    signing.secret_key.cache_clear()


def test_a_token_gives_back_its_value_for_its_own_purpose_only():
    token = signing.sign("web-session", "abc123")
    assert signing.unsign("web-session", token) == "abc123"
    assert signing.unsign("login-form", token) is None


def test_a_changed_or_foreign_token_is_refused():
    token = signing.sign("web-session", "abc123")
    assert signing.unsign("web-session", token.replace("abc123", "abc124")) is None
    assert signing.unsign("web-session", "abc123") is None
    assert signing.unsign("web-session", None) is None
    assert signing.unsign("web-session", {"id": token}) is None
    assert signing.unsign("web-session", token + "x" * 600) is None


def test_a_token_from_another_key_is_refused(own_key, monkeypatch):
    token = signing.sign("web-session", "abc123")
    monkeypatch.setenv("HRA_SECRET_KEY", "another deployment's key")
    get_settings.cache_clear()
    signing.secret_key.cache_clear()
    assert signing.unsign("web-session", token) is None


def test_a_timed_token_expires_by_the_assistants_clock(fixed_clock):
    token = signing.sign_timed("login-form", "form")
    fixed_clock.advance(minutes=14)
    assert signing.unsign_timed("login-form", token, max_age=15 * 60) == "form"
    fixed_clock.advance(minutes=2)
    assert signing.unsign_timed("login-form", token, max_age=15 * 60) is None


def test_the_made_key_is_private_and_kept_across_restarts(own_key):
    first = signing.secret_key()
    assert stat.S_IMODE(own_key.stat().st_mode) == 0o600
    assert stat.S_IMODE(own_key.parent.stat().st_mode) == 0o700
    signing.secret_key.cache_clear()
    assert signing.secret_key() == first
    assert len(first) == 64


def test_the_configured_key_wins_and_no_file_is_made(own_key, monkeypatch):
    monkeypatch.setenv("HRA_SECRET_KEY", "shared by every server")
    get_settings.cache_clear()
    assert signing.secret_key() == b"shared by every server"
    assert not own_key.exists()


def test_servers_starting_at_once_agree_on_one_key(own_key):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: signing._key_file(own_key), range(32)))
    assert len(keys) == 1 and len(keys.pop()) == 64
    assert [p.name for p in own_key.parent.iterdir()] == ["secret.key"]  # no drafts left
