"""Tokens the server issues and later recognises (itsdangerous, HMAC-SHA256): a web chat's
session id, the console's sign-in form token. A token names its purpose, so one kind can never
be replayed as another, and may carry its time of issue, so it can expire without the server
remembering it.

The key is HRA_SECRET_KEY (the same on every server behind one load balancer); without it, a
random key kept in var/secret.key (made on first use, readable by this user only), so tokens
survive a restart of a single server.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from itsdangerous import BadSignature, Signer, TimestampSigner

from bot import clock
from bot.settings import get_settings


class _ClockedSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(clock.epoch_seconds())  # bot/clock.py: tests fix the time


def _key_file(path: Path) -> bytes:
    """The key kept in `path`, made there first if there is none. Written to a private file
    of its own and linked into place, so two servers starting at once agree on one key and
    neither reads a half-written one."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.exists():
        return path.read_bytes().strip()
    draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(secrets.token_hex(32).encode())
    try:
        os.link(draft, path)  # fails if another server got there first: use theirs
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_bytes().strip()


@lru_cache(maxsize=1)
def secret_key() -> bytes:
    settings = get_settings()
    return settings.secret_key.encode() if settings.secret_key else _key_file(settings.key_file)


def sign(purpose: str, value: str) -> str:
    return Signer(secret_key(), salt=purpose).sign(value).decode()


def unsign(purpose: str, token: object) -> str | None:
    """The value a token of this purpose was issued for, or None if it was not ours."""
    if not isinstance(token, str) or len(token) > 512:
        return None
    try:
        return Signer(secret_key(), salt=purpose).unsign(token).decode()
    except (BadSignature, UnicodeDecodeError):
        return None


def sign_timed(purpose: str, value: str) -> str:
    return _ClockedSigner(secret_key(), salt=purpose).sign(value).decode()


def unsign_timed(purpose: str, token: object, max_age: float) -> str | None:
    """As `unsign`, and None too once the token is older than `max_age` seconds."""
    if not isinstance(token, str) or len(token) > 512:
        return None
    try:
        signer = _ClockedSigner(secret_key(), salt=purpose)
        return signer.unsign(token, max_age=int(max_age)).decode()
    except (BadSignature, UnicodeDecodeError):
        return None
