"""Typed settings from environment variables, read once and lazily.

Every setting has a safe default so the assistant runs with no configuration;
`.env.example` documents them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
CONTENT_DIR = PACKAGE_DIR / "content"


@dataclass(frozen=True)
class TelegramSettings:
    token: str  # from @BotFather; empty: the channel answers 503
    secret_token: str  # Telegram sends it in X-Telegram-Bot-Api-Secret-Token
    webhook_url: str  # the public https URL of /webhooks/telegram/webhook
    api_url: str  # Telegram's Bot API, or a self-hosted / test server
    bot_username: str  # without @: how people address the bot in a group
    updates_redis_url: str  # several servers: handled update ids shared (bot/telegram/seen.py)

    @property
    def configured(self) -> bool:
        return bool(self.token and self.secret_token)


@dataclass(frozen=True)
class WebSettings:
    allowed_origins: tuple[str, ...]  # pages allowed to open the chat socket
    quick_exit_url: str  # where the quick-exit button goes: a neutral site
    socketio_redis_url: str  # several servers: their socket.io shares rooms through Redis


@dataclass(frozen=True)
class HelplineSettings:
    config: Path  # team, hours per region and wording (bot/content/helpline.yml)
    webhook_url: str  # notified of new tickets (Slack, Teams, a helpdesk); empty: none
    webhook_secret: str  # signs each notification (bot/notify.py); empty: unsigned
    console_url: str  # the console's public address, put in notifications


@dataclass(frozen=True)
class LimitSettings:
    max_message_chars: int  # longer messages get a polite "please send it in parts"
    messages_per_minute: float  # per conversation, after a burst of `burst`
    burst: int
    address_per_minute: float  # from one network address, all its conversations together
    address_burst: int
    address_sessions_per_minute: float  # new web chat sessions from one network address
    server_per_minute: float  # the whole server: what it can answer without falling behind
    server_burst: int
    tickets_per_hour: int  # new helpline tickets, all conversations together
    tickets_per_conversation: int  # new tickets one conversation may open in a day


@dataclass(frozen=True)
class Settings:
    default_region: str
    content_dir: Path
    telegram: TelegramSettings
    web: WebSettings
    handoff_db: str  # SQLAlchemy URL of the handoff store
    helpline: HelplineSettings
    limits: LimitSettings
    retention_days: int  # `make purge` deletes conversations and tickets older than this
    secret_key: str  # signs ids and tokens the server issues (bot/signing.py); empty: key_file
    key_file: Path  # a random key made on first use when secret_key is empty
    # The crisis classifier's weights over sentence embeddings (bot/crisis_classifier.py),
    # made by `make train` beside the model; made at start-up if missing or stale.
    crisis_weights: Path


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _number(name: str, default: float, minimum: float) -> float:
    raw = _env(name, str(default))
    try:
        value = float(raw)
    except ValueError as error:
        raise ValueError(f"{name}={raw!r} is not a number") from error
    if value < minimum:
        raise ValueError(f"{name}={raw!r}: must be at least {minimum:g}")
    return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings(
        default_region=_env("HRA_DEFAULT_REGION", "england").lower(),
        content_dir=Path(_env("HRA_CONTENT_DIR", str(CONTENT_DIR))),
        handoff_db=_env("HRA_HANDOFF_DB", f"sqlite:///{PACKAGE_DIR.parent / 'var' / 'handoff.db'}"),
        limits=LimitSettings(
            max_message_chars=int(_number("HRA_MAX_MESSAGE_CHARS", 2000, 100)),
            messages_per_minute=_number("HRA_MESSAGES_PER_MINUTE", 20, 1),
            burst=int(_number("HRA_MESSAGE_BURST", 10, 1)),
            address_per_minute=_number("HRA_ADDRESS_MESSAGES_PER_MINUTE", 120, 1),
            address_burst=int(_number("HRA_ADDRESS_MESSAGE_BURST", 40, 1)),
            address_sessions_per_minute=_number("HRA_ADDRESS_SESSIONS_PER_MINUTE", 30, 2),
            server_per_minute=_number("HRA_SERVER_MESSAGES_PER_MINUTE", 1200, 1),
            server_burst=int(_number("HRA_SERVER_MESSAGE_BURST", 200, 1)),
            tickets_per_hour=int(_number("HRA_TICKETS_PER_HOUR", 60, 1)),
            tickets_per_conversation=int(_number("HRA_TICKETS_PER_CONVERSATION", 5, 1)),
        ),
        retention_days=int(_number("HRA_RETENTION_DAYS", 30, 1)),
        secret_key=_env("HRA_SECRET_KEY", ""),
        key_file=Path(_env("HRA_KEY_FILE", str(PACKAGE_DIR.parent / "var" / "secret.key"))),
        crisis_weights=Path(
            _env(
                "HRA_CRISIS_WEIGHTS", str(PACKAGE_DIR.parent / "models" / "crisis_embeddings.json")
            )
        ),
        helpline=HelplineSettings(
            config=Path(_env("HRA_HELPLINE_CONFIG", str(CONTENT_DIR / "helpline.yml"))),
            webhook_url=_env("HRA_HELPLINE_WEBHOOK_URL", ""),
            webhook_secret=_env("HRA_HELPLINE_WEBHOOK_SECRET", ""),
            console_url=_env(
                "HRA_HELPLINE_CONSOLE_URL", "http://localhost:5005/webhooks/helpline/"
            ),
        ),
        web=WebSettings(
            allowed_origins=tuple(
                origin.strip().rstrip("/")
                for origin in _env(
                    "HRA_WEB_ALLOWED_ORIGINS", "http://localhost:5005,http://127.0.0.1:5005"
                ).split(",")
                if origin.strip()
            ),
            quick_exit_url=_env("HRA_QUICK_EXIT_URL", "https://www.bbc.co.uk/weather"),
            socketio_redis_url=_env("HRA_SOCKETIO_REDIS_URL", ""),
        ),
        telegram=TelegramSettings(
            token=_env("TELEGRAM_TOKEN", ""),
            secret_token=_env("TELEGRAM_SECRET_TOKEN", ""),
            webhook_url=_env("TELEGRAM_WEBHOOK_URL", ""),
            api_url=_env("TELEGRAM_API_URL", "https://api.telegram.org"),
            bot_username=_env("TELEGRAM_BOT_USERNAME", "").lstrip("@"),
            updates_redis_url=_env("HRA_TELEGRAM_REDIS_URL", _env("HRA_SOCKETIO_REDIS_URL", "")),
        ),
    )
