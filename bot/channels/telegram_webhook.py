"""Sets, shows or deletes the Telegram webhook: only on this explicit command, never at start-up.

make telegram-webhook                     # set it from TELEGRAM_* settings (.env.example)
.venv/bin/python -m bot.channels.telegram_webhook info|delete
"""

from __future__ import annotations

import asyncio
import json
import sys

from bot.settings import get_settings
from bot.telegram.api import BotApi, TelegramError

# Only what the channel answers; Telegram sends nothing else.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]


async def run(command: str) -> object:
    settings = get_settings().telegram
    api = BotApi(settings.token, settings.api_url)
    try:
        if command == "set":
            if not settings.webhook_url.startswith("https://"):
                raise SystemExit("TELEGRAM_WEBHOOK_URL must be the public https:// URL")
            return await api.call(
                "setWebhook",
                url=settings.webhook_url,
                secret_token=settings.secret_token,
                allowed_updates=ALLOWED_UPDATES,
                max_connections=40,
            )
        if command == "delete":
            return await api.call("deleteWebhook")
        info = await api.call("getWebhookInfo")
        return {key: value for key, value in (info or {}).items() if key != "url"} | {
            "url_set": bool((info or {}).get("url"))
        }
    finally:
        await api.close()


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "set"
    if command not in {"set", "delete", "info"}:
        print("usage: python -m bot.channels.telegram_webhook [set|delete|info]", file=sys.stderr)
        return 2
    settings = get_settings().telegram
    if not settings.configured:
        print("Set TELEGRAM_TOKEN and TELEGRAM_SECRET_TOKEN first (.env.example).", file=sys.stderr)
        return 2
    try:
        print(json.dumps(asyncio.run(run(command)), indent=2))
    except TelegramError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
