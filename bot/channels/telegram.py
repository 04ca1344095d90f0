"""Our Telegram channel for Rasa (credentials.yml: bot.channels.telegram.TelegramInput).

Why not Rasa's own: it calls asyncio.run(set_webhook) at start-up and whenever an output
channel is asked for, so the first update fails and proactive sends (a helpline worker's
reply, `output_channel=latest`) always fail; it trusts any POST; it drops voice notes,
stickers and photos (STACK-NOTES, issue 6). This one:
- refuses a request without Telegram's secret token (403), logging no content;
- sets the webhook only when asked (`make telegram-webhook`, bot/channels/telegram_webhook.py);
- answers every kind of message (bot/telegram/updates.py), each update_id once, and a failure
  inside one update still gets the person the emergency number, never a crash or a retry loop;
- keeps one output channel made inside the server's loop, so later sends work.
Settings come from environment variables (bot/settings.py, .env.example).
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.guard import MessageGuard
from bot.places import gazetteer
from bot.referrals import directory
from bot.settings import TelegramSettings, get_settings
from bot.telegram.api import BotApi, TelegramError
from bot.telegram.formatting import CallbackData, inline_keyboard, messages
from bot.telegram.seen import update_memory
from bot.telegram.updates import read_update

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HELPLINE_LABEL = "Helpline worker"
MAX_BODY = 1_000_000  # Telegram's updates are small; anything bigger is not from Telegram


class TelegramOutput(OutputChannel):
    @classmethod
    def name(cls) -> str:
        return "telegram"

    def __init__(self, api: BotApi, callbacks: CallbackData) -> None:
        self.api, self.callbacks = api, callbacks

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        if kwargs.get("helpline"):  # a helpline worker's words, not the assistant's
            text = f"{HELPLINE_LABEL}: {text}"
        await self._send(recipient_id, text, None)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._send(recipient_id, text, inline_keyboard(buttons, self.callbacks))

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.api.call("sendPhoto", chat_id=recipient_id, photo=image)

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        if isinstance(json_message.get("text"), str):
            await self._send(recipient_id, json_message["text"], None)

    async def _send(self, chat_id: str, text: str, keyboard: dict | None) -> None:
        parts = messages(text)
        for position, part in enumerate(parts):
            last = position == len(parts) - 1
            await self.api.call(
                "sendMessage",
                chat_id=chat_id,
                text=part,
                parse_mode="HTML",
                disable_web_page_preview=True,
                reply_markup=keyboard if last else None,
            )


class TelegramInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls(get_settings().telegram)

    def __init__(self, settings: TelegramSettings) -> None:
        self.settings = settings
        self.callbacks = CallbackData()
        self._output: TelegramOutput | None = None
        self._seen = update_memory(settings)  # shared through Redis when one is set

    def get_output_channel(self) -> TelegramOutput:
        """One shared output channel; its HTTP session is made lazily inside the running loop."""
        if self._output is None:
            api = BotApi(self.settings.token, self.settings.api_url)
            self._output = TelegramOutput(api, self.callbacks)
        return self._output

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("telegram_webhook", __name__)
        guarded = MessageGuard(on_new_message)
        guarded.attach(hook)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.settings.configured else "unset"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.settings.configured:
                return response.json({"error": "Telegram is not configured"}, status=503)
            sent = request.headers.get(SECRET_HEADER, "")
            if not hmac.compare_digest(sent.encode(), self.settings.secret_token.encode()):
                logger.warning("telegram: refused a webhook call without the secret token")
                return response.json({"error": "forbidden"}, status=403)
            if len(request.body or b"") > MAX_BODY:
                return response.json({"error": "update too large"}, status=413)
            try:
                update = json.loads(request.body or b"")
            except (ValueError, UnicodeDecodeError, RecursionError):
                return response.json({"error": "the body is not a JSON update"}, status=400)
            await self.handle(update, guarded)
            return response.json({"ok": True})  # 200 even after a failure: no retry storm

        return hook

    async def handle(
        self, update: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        update_id = update.get("update_id") if isinstance(update, dict) else None
        if isinstance(update_id, int) and not await self._seen.first_time(update_id):
            return  # Telegram resends an update it thinks was lost: handle it once
        incoming = read_update(update, self.settings.bot_username, gazetteer().region_at)
        if incoming is None:
            return
        output = self.get_output_channel()
        try:
            if incoming.callback_id:  # stop the button's spinner first
                await output.api.call("answerCallbackQuery", callback_query_id=incoming.callback_id)
            text = self.callbacks.decode(incoming.text) if incoming.kind == "button" else None
            await on_new_message(
                UserMessage(
                    text or incoming.text,
                    output,
                    incoming.chat_id,
                    input_channel=self.name(),
                    metadata={"telegram": incoming.kind},
                )
            )
        except Exception:  # noqa: BLE001 - one bad update must not take the server down
            logger.exception("telegram: update %s failed (%s)", update_id, incoming.kind)
            await self._safe_reply(output, incoming.chat_id)

    async def _safe_reply(self, output: TelegramOutput, chat_id: str) -> None:
        """Something broke: the person still gets the emergency number."""
        found = directory()
        region = found.region(None)
        text = found.templates.failure.format(emergency_number=region.emergency_number)
        try:
            await output.send_text_message(chat_id, text)
        except TelegramError:
            logger.error("telegram: could not send the safe reply for a failed update")
