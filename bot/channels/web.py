"""The website chat: Rasa's socket.io channel with allowed origins, plus the widget it serves.

credentials.yml names it (bot.channels.web.WebChatInput). Why not Rasa's SocketIOInput as is:
it builds its socket.io server with `cors_allowed_origins=[]`, which turns the origin check
off, so any website could embed a chat with our server; and its custom-JSON output passes the
message as keyword arguments to `emit`, which breaks. Everything else follows it: session
persistence (a reload or a reconnect after a server restart carries on), the same events
(`user_uttered`, `bot_uttered`, `session_request`, `session_confirm`). What differs: the session
id the widget keeps is a token the server signed (bot/signing.py), so a made-up or someone
else's guessed id starts a new conversation; a conversation is `web:<id>` and its room; a
socket is in one room at a time; missed messages are replayed to the asking socket only; and
session requests are rate-limited per network address.

The blueprint also serves the widget: /webhooks/web/ (a demo service page), /widget.js,
/widget.css, /socket.io.min.js (from npm, `make install`) and /config (the default region's
emergency number, the quick-exit address).
"""

from __future__ import annotations

import inspect
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncRedisManager, AsyncServer

from bot.channels.addresses import client_address
from bot.channels.guard import MessageGuard
from bot.channels.handover import replay
from bot.conversations import WEB, conversation_id, native_id
from bot.limits import RateLimiter
from bot.referrals import directory
from bot.settings import WebSettings, get_settings
from bot.signing import sign, unsign

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "web_static"
SOCKET_IO_CLIENT = (
    Path(__file__).resolve().parents[2]
    / "node_modules"
    / "socket.io-client"
    / "dist"
    / "socket.io.min.js"
)
SESSION_ID = re.compile(r"^[0-9a-f]{32}$")  # ours: uuid4().hex, unguessable
SESSION_PURPOSE = "web-session"  # the widget holds the id signed: only ids we issued count


async def _maybe_await(result: Any) -> None:
    if inspect.isawaitable(result):  # a coroutine from python-socketio 5.10 on
        await result


class WebChatOutput(SocketIOOutput):
    """Every message carries `ts`, its event's timestamp: a widget that was away (a phone
    asleep, a reload) names the last one it got and is sent what it missed."""

    _timestamp: float | None = None

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        if native_id(recipient_id, WEB) is None:  # a room is a web conversation, nothing else
            logger.error("web: refused to send to a conversation of another channel")
            return
        self._timestamp = message.get("timestamp")
        await super().send_response(recipient_id, message)

    async def send_to_socket(self, sid: str, message: dict[str, Any]) -> None:
        """To one socket, not its conversation's room: missed messages go only to the socket
        that asked for them."""
        self._timestamp = message.get("timestamp")
        await super().send_response(sid, message)

    async def _send_message(self, socket_id: str, response: Any) -> None:
        if isinstance(response, dict) and self._timestamp is not None:
            response = {**response, "ts": self._timestamp}
        await super()._send_message(socket_id, response)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        if kwargs.get("helpline"):  # a helpline worker's words: the widget labels them
            await self._send_message(recipient_id, {"text": text, "from": "helpline"})
            return
        await super().send_text_message(recipient_id, text, **kwargs)

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class WebChatInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "socketio"  # actions know the channel by this name (tap-to-call links)

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls(get_settings().web)

    def url_prefix(self) -> str:
        return "web"

    def __init__(self, settings: WebSettings) -> None:
        self.settings = settings
        self.sio: AsyncServer | None = None

    def get_output_channel(self) -> WebChatOutput | None:
        return WebChatOutput(self.sio, "bot_uttered") if self.sio else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # Behind a load balancer with several servers, a message for a conversation (a
        # worker's reply) may be sent by a server the person is not connected to: with
        # HRA_SOCKETIO_REDIS_URL the servers' socket.io rooms are shared through Redis.
        redis_url = self.settings.socketio_redis_url
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=list(self.settings.allowed_origins),
            max_http_buffer_size=64_000,
            client_manager=AsyncRedisManager(redis_url) if redis_url else None,
        )
        self.sio = sio
        web = SocketBlueprint(sio, "/socket.io", "web_chat", __name__)
        guarded = MessageGuard(on_new_message)
        guarded.attach(web)
        per_minute = get_settings().limits.address_sessions_per_minute  # per network address
        sessions = RateLimiter(per_minute, burst=int(per_minute // 2))

        @web.route("/", methods=["GET"])
        async def demo(_: Request) -> HTTPResponse:
            return await response.file(STATIC / "demo.html", headers=self._headers())

        @web.route("/<name:(widget\\.js|widget\\.css)>", methods=["GET"])
        async def asset(_: Request, name: str) -> HTTPResponse:
            return await response.file(STATIC / name, headers=self._headers())

        @web.route("/socket.io.min.js", methods=["GET"])
        async def client(_: Request) -> HTTPResponse:
            if not SOCKET_IO_CLIENT.exists():
                return response.text("socket.io-client is missing: run `make install`", 503)
            return await response.file(SOCKET_IO_CLIENT, headers=self._headers())

        @web.route("/config", methods=["GET"])
        async def config(request: Request) -> HTTPResponse:
            # The widget on a service's own site fetches this from there: the sites allowed
            # to open the chat may read it (CORS), or the page would keep the default
            # emergency number and quick-exit site.
            headers = self._headers()
            origin = request.headers.get("origin", "")
            if origin in self.settings.allowed_origins:
                headers |= {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
            region = directory().region(None)
            return response.json(
                {
                    "emergency_number": region.emergency_number,
                    "quick_exit_url": self.settings.quick_exit_url,
                },
                headers=headers,
            )

        @sio.on("connect")
        async def connect(sid: str, environ: dict, auth: Any = None) -> bool:
            # The origin has already been checked by python-socketio.
            address = client_address(environ.get("sanic.request"))
            await sio.save_session(sid, {"client": address})
            return True

        async def join(sid: str, token: Any) -> tuple[str, str, bool]:
            """Puts the socket in its conversation's room and out of any other: the one its
            token names if we issued that token, else a new one. Returns the conversation,
            its token and whether it carried on."""
            issued = unsign(SESSION_PURPOSE, token)
            resumed = issued is not None and bool(SESSION_ID.match(issued))
            web_id = issued if resumed and issued else uuid.uuid4().hex
            conversation = conversation_id(WEB, web_id)
            session = await sio.get_session(sid) or {}
            previous = session.get("conversation")
            if previous and previous != conversation:
                await _maybe_await(sio.leave_room(sid, previous))
            await _maybe_await(sio.enter_room(sid, conversation))
            await sio.save_session(sid, {**session, "conversation": conversation})
            return conversation, sign(SESSION_PURPOSE, web_id), resumed

        @sio.on("session_request")
        async def session_request(sid: str, data: Any) -> None:
            session = await sio.get_session(sid) or {}
            if not sessions.allow(str(session.get("client") or sid)):
                return  # many sessions from one address: it asks again when it reconnects
            asked = data.get("session_id") if isinstance(data, dict) else None
            conversation, token, resumed = await join(sid, asked)
            await sio.emit("session_confirm", token, room=sid)
            since = data.get("since") if isinstance(data, dict) else None
            if resumed and isinstance(since, int | float) and guarded.agent:
                output = WebChatOutput(sio, "bot_uttered")
                await replay(guarded.agent, conversation, float(since), output, sid)

        @sio.on("user_uttered")
        async def handle_message(sid: str, data: Any) -> None:
            session = await sio.get_session(sid) or {}
            conversation = session.get("conversation")
            if not conversation and isinstance(data, dict) and data.get("session_id"):
                # After a server restart the client's queued message can arrive before its
                # new session_request: it names its conversation, so carry on with it.
                conversation, token, resumed = await join(sid, data["session_id"])
                if not resumed:
                    await sio.emit("session_confirm", token, room=sid)
            text = data.get("message") if isinstance(data, dict) else None
            if not conversation or not isinstance(text, str) or not text.strip():
                return  # no session yet, or nothing to say: the widget always sends both
            output = WebChatOutput(sio, "bot_uttered")
            message = UserMessage(text, output, conversation, input_channel=self.name())
            await guarded(message, client=str(session.get("client") or ""))

        return web

    @staticmethod
    def _headers() -> dict[str, str]:
        return {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
