"""The helpline console for agents, served by Rasa as an input channel (credentials.yml:
bot.channels.helpline.HelplineConsole) under /webhooks/helpline/.

Agents sign in, say whether they are available (the assistant only offers a live person while
someone is), see the queue (crises first, then the longest waiting; left messages too), claim
a ticket (the person is told; the assistant stays paused), read the transcript as it grows,
reply (the reply reaches the person on their own channel and is kept in the transcript), hand
back to the assistant (ConversationResumed, the person is told) or close. The queue and the
transcript refresh themselves (console.js polls two HTML fragments), and the page title and a
live region announce new people waiting.

Security: nothing but the sign-in page answers without a session; the session cookie is
HttpOnly and SameSite=Strict (and Secure when the client came over https, which behind nginx
Sanic knows only with its proxy settings, deploy/hra.env.example); every form carries a CSRF
token tied to the session (or, before sign-in, a signed token tied to a cookie); sign-in
attempts are rate-limited per address and wrong passwords back off per name and address
(bot/channels/helpline_sign_in.py); an agent cannot open a ticket another agent has claimed.
Sessions live in this process's memory: signing in again after a restart is expected.
"""

from __future__ import annotations

import html
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from string import Template
from types import MappingProxyType
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.shared.core.events import (
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    UserUttered,
)
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import clock
from bot.channels import helpline_sign_in as sign_in
from bot.channels.addresses import client_address, is_https
from bot.channels.handover import back_to_assistant, crisis_reply, deliver
from bot.handoff import (
    CHAT,
    ENDED,
    HANDED_BACK,
    WAITING,
    HandoffError,
    HandoffStore,
    Ticket,
    handoff_store,
)
from bot.helpline import helpline
from bot.settings import get_settings

PAGES = Path(__file__).resolve().parent / "helpline_static"
SPEAKERS = {"user": "Person", "bot": "Assistant"}
CHANNELS = {"socketio": "web chat", "telegram": "Telegram", "rest": "REST"}  # as agents say it
CONSOLE = "/webhooks/helpline"
COOKIE = "hra_helpline"
SESSION_SECONDS = 8 * 3600
# Read-only: Sanic's redirect() writes Location into the dict it is given, and a shared dict
# would carry that Location into every later page. Responses get a copy (`headers()`).
SECURITY_HEADERS: Mapping[str, str] = MappingProxyType(
    {
        "Cache-Control": "no-store",
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": (
            "default-src 'self'; script-src 'self'; style-src 'unsafe-inline'; "
            "frame-ancestors 'none'"
        ),
        "Referrer-Policy": "no-referrer",
    }
)


@dataclass
class Session:
    agent: str
    csrf: str
    expires: float
    available: bool = False


@cache
def page(name: str) -> Template:
    return Template((PAGES / f"{name}.html").read_text(encoding="utf-8"))


def headers(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A fresh dict of the console's headers for one response."""
    return {**SECURITY_HEADERS, **(extra or {})}


def render(
    title: str, body: str, status: int = 200, extra: Mapping[str, str] | None = None
) -> HTTPResponse:
    text = page("page").substitute(title=html.escape(title), body=body)
    return response.html(text, status=status, headers=headers(extra))


def redirect(path: str) -> HTTPResponse:
    return response.redirect(f"{CONSOLE}{path}", status=303, headers=headers())


def set_cookie(answer: HTTPResponse, request: Request, name: str, value: str, age: int) -> None:
    """A console cookie: scripts cannot read it, other sites' requests do not carry it, and
    it travels only over https when the client uses https (age 0 deletes it)."""
    answer.cookies[name] = value
    cookie = answer.cookies[name]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["path"] = CONSOLE
    cookie["max-age"] = age
    cookie["secure"] = is_https(request)


class HelplineConsole(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "helpline"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls(get_settings().handoff_db)

    def __init__(self, database_url: str) -> None:
        self._url = database_url
        self._store: HandoffStore | None = None
        self._sessions: dict[str, Session] = {}
        self._gate = sign_in.SignInGate(lambda: self.store)

    @property
    def store(self) -> HandoffStore:
        if self._store is None:  # no I/O before the first request
            self._store = handoff_store(self._url)
        return self._store

    def get_output_channel(self) -> None:
        return None  # the console sends nothing to people through Rasa's API

    # ---- sessions
    def _session(self, request: Request) -> Session | None:
        token = request.cookies.get(COOKIE, "")
        session = self._sessions.get(token)
        if session is None or session.expires < clock.epoch_seconds():
            self._sessions.pop(token, None)
            return None
        return session

    def _start_session(self, agent: str) -> str:
        now = clock.epoch_seconds()
        self._sessions = {key: s for key, s in self._sessions.items() if s.expires > now}
        token = secrets.token_urlsafe(32)
        self._sessions[token] = Session(agent, secrets.token_urlsafe(24), now + SESSION_SECONDS)
        return token

    @staticmethod
    def _csrf_ok(request: Request, session: Session) -> bool:
        sent = str((request.form or {}).get("csrf", ""))
        return secrets.compare_digest(sent, session.csrf)

    def _queue_rows(self, session: Session) -> tuple[str, int]:
        """The queue's table rows for this agent (others' claimed tickets hidden) and how many
        people are waiting."""
        rows, waiting = [], 0
        for ticket in self.store.queue():
            mine = ticket.agent == session.agent
            if ticket.agent and not mine:
                continue  # another agent's conversation
            waiting += ticket.status == WAITING
            rows.append(
                page("queue_row").substitute(
                    id=ticket.id,
                    urgency="urgent" if ticket.reason == "emergency" else "",
                    reason=html.escape(describe_reason(ticket)),
                    kind="message left" if ticket.kind != CHAT else "chat",
                    channel=html.escape(CHANNELS.get(ticket.channel, ticket.channel)),
                    region=html.escape(ticket.region or "unknown"),
                    opened=f"{ticket.opened_at:%Y-%m-%d %H:%M}",
                    status=html.escape(ticket.status),
                    action="Open" if mine else "Claim",
                    csrf=session.csrf,
                )
            )
        empty = '<tr><td colspan="7">Nobody is waiting.</td></tr>'
        return "".join(rows) or empty, waiting

    @staticmethod
    def _login_page(
        request: Request, error: str = "", status: int = 200, retry_after: int = 0
    ) -> HTTPResponse:
        """The sign-in form; its token is signed over a nonce kept in the browser's cookie,
        so the server remembers nothing for it."""
        nonce = sign_in.form_nonce(request.cookies)
        body = page("login").substitute(error=html.escape(error), csrf=sign_in.form_token(nonce))
        extra = {"Retry-After": str(retry_after)} if retry_after else None
        answer = render("Sign in", body, status, extra)
        set_cookie(answer, request, sign_in.FORM_COOKIE, nonce, sign_in.FORM_SECONDS)
        return answer

    async def _login(self, request: Request) -> HTTPResponse:
        sign_in.warn_if_proxy_untrusted(request)
        form = request.form or {}
        if not sign_in.form_token_ok(request.cookies, form.get("csrf", "")):
            return render("Refused", "<p>This form has expired. Reload and retry.</p>", 403)
        username = str(form.get("username", ""))[:64]
        password = str(form.get("password", ""))[:256]
        verdict = await self._gate.attempt(username, password, client_address(request))
        if verdict.outcome is sign_in.Outcome.LIMITED:
            retry = {"Retry-After": str(verdict.retry_after)}
            text = "<p>Too many sign-in attempts from your network. Wait a minute and retry.</p>"
            return render("Too many attempts", text, 429, retry)
        if verdict.outcome is sign_in.Outcome.BACKED_OFF:
            wait = f"wait {verdict.retry_after} seconds, then try again"
            message = f"Too many wrong passwords for this name from your network: {wait}."
            return self._login_page(request, message, 429, verdict.retry_after)
        if verdict.outcome is not sign_in.Outcome.SIGNED_IN:
            return self._login_page(request, "Wrong name or password.", 401)
        self.store.set_available(username, True)  # signing in is starting a shift
        done = redirect("/")
        set_cookie(done, request, COOKIE, self._start_session(username), SESSION_SECONDS)
        set_cookie(done, request, sign_in.FORM_COOKIE, "", 0)  # the form has served
        return done

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        console = Blueprint("helpline_console", __name__)

        def signed_in(handler):
            async def guarded(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
                session = self._session(request)
                if session is None:
                    if request.method == "GET":
                        return redirect("/login")
                    return render("Sign in needed", "<p>Please sign in.</p>", 401)
                if request.method == "POST" and not self._csrf_ok(request, session):
                    return render(
                        "Refused", "<p>This form has expired. Go back and retry.</p>", 403
                    )
                session.available = self.store.seen(session.agent)  # counts as online
                return await handler(request, session, *args, **kwargs)

            guarded.__name__ = handler.__name__
            return guarded

        def mine(handler):
            """Ticket routes: the ticket must exist and be claimed by this agent."""

            async def checked(request: Request, session: Session, ticket_id: int) -> HTTPResponse:
                try:
                    found = self.store.get(ticket_id)
                except HandoffError:
                    return render("Not found", "<p>No such ticket.</p>", 404)
                if found.agent != session.agent:
                    return render("Not yours", "<p>Claim this ticket first.</p>", 403)
                return await handler(request, session, found)

            checked.__name__ = handler.__name__
            return signed_in(checked)

        @console.route("/login", methods=["GET"])
        async def login_form(request: Request) -> HTTPResponse:
            return self._login_page(request)

        @console.route("/login", methods=["POST"])
        async def login(request: Request) -> HTTPResponse:
            return await self._login(request)

        @console.route("/logout", methods=["POST"])
        @signed_in
        async def logout(request: Request, session: Session) -> HTTPResponse:
            self._sessions.pop(request.cookies.get(COOKIE, ""), None)
            self.store.set_available(session.agent, False)
            done = redirect("/login")
            set_cookie(done, request, COOKIE, "", 0)
            return done

        @console.route("/availability", methods=["POST"])
        @signed_in
        async def availability(request: Request, session: Session) -> HTTPResponse:
            wanted = (request.form or {}).get("available") == "yes"
            self.store.set_available(session.agent, wanted)
            return redirect("/")

        @console.route("/console.js", methods=["GET"])
        @signed_in
        async def script(request: Request, session: Session) -> HTTPResponse:
            return await response.file(PAGES / "console.js", headers=headers())

        @console.route("/", methods=["GET"])
        @signed_in
        async def queue(request: Request, session: Session) -> HTTPResponse:
            rows, waiting = self._queue_rows(session)
            available = session.available
            body = page("queue").substitute(
                agent=html.escape(session.agent),
                csrf=session.csrf,
                rows=rows,
                waiting=waiting,
                status="available for chats" if available else "away (no new chats offered)",
                toggle="no" if available else "yes",
                toggle_label="Go away" if available else "Become available",
            )
            return render("Queue", body)

        @console.route("/queue/rows", methods=["GET"])
        @signed_in
        async def queue_rows(request: Request, session: Session) -> HTTPResponse:
            rows, waiting = self._queue_rows(session)
            return response.html(rows, headers=headers({"X-Waiting": str(waiting)}))

        @console.route("/tickets/<ticket_id:int>/claim", methods=["POST"])
        @signed_in
        async def claim(request: Request, session: Session, ticket_id: int) -> HTTPResponse:
            try:
                before = self.store.get(ticket_id)
                ticket = self.store.claim(ticket_id, session.agent)
            except HandoffError as error:
                return render("Not yours", f"<p>{html.escape(str(error))}</p>", 409)
            if before.status == WAITING:
                joined = helpline().templates.claimed
                await deliver(request.app, ticket.conversation_id, [BotUttered(joined)], pause=True)
            return redirect(f"/tickets/{ticket_id}")

        @console.route("/tickets/<ticket_id:int>", methods=["GET"])
        @mine
        async def ticket(request: Request, session: Session, found: Ticket) -> HTTPResponse:
            body = page("ticket").substitute(
                reason=html.escape(describe_reason(found)),
                urgency="urgent" if found.reason == "emergency" else "",
                channel=html.escape(CHANNELS.get(found.channel, found.channel)),
                region=html.escape(found.region or "unknown"),
                status=html.escape(found.status),
                agent=html.escape(found.agent or ""),
                note=page("note").substitute(note=html.escape(found.note)) if found.note else "",
                transcript=await transcript(request, found.conversation_id),
                id=found.id,
                csrf=session.csrf,
            )
            return render(f"Ticket {found.id}", body)

        @console.route("/tickets/<ticket_id:int>/transcript", methods=["GET"])
        @mine
        async def ticket_transcript(
            request: Request, session: Session, found: Ticket
        ) -> HTTPResponse:
            lines = await transcript(request, found.conversation_id)
            return response.html(lines, headers=headers({"X-Status": found.status}))

        @console.route("/tickets/<ticket_id:int>/reply", methods=["POST"])
        @mine
        async def reply(request: Request, session: Session, found: Ticket) -> HTTPResponse:
            text = str((request.form or {}).get("text", "")).strip()[:2000]
            if not text:
                return render("Nothing to send", "<p>Type a reply first.</p>", 400)
            if not self.store.may_reply(found.id, session.agent):
                return render("Not yours", "<p>Claim this ticket first.</p>", 403)
            said = BotUttered(text, metadata={"helpline": True})
            if not await deliver(request.app, found.conversation_id, [said], must_reach=True):
                return render(
                    "Not delivered", "<p>This person's channel cannot be reached.</p>", 502
                )
            return redirect(f"/tickets/{found.id}")

        @console.route("/tickets/<ticket_id:int>/handback", methods=["POST"])
        @mine
        async def hand_back(request: Request, session: Session, found: Ticket) -> HTTPResponse:
            return await finish(request, session, found, HANDED_BACK)

        @console.route("/tickets/<ticket_id:int>/close", methods=["POST"])
        @mine
        async def close(request: Request, session: Session, found: Ticket) -> HTTPResponse:
            return await finish(request, session, found, ENDED)

        async def finish(
            request: Request, session: Session, found: Ticket, outcome: str
        ) -> HTTPResponse:
            """Resumes the assistant and tells the person before the ticket closes, so nobody
            is left with a silent assistant."""
            try:
                self.store.close(found.id, session.agent, outcome)
            except HandoffError as error:
                return render("Not yours", f"<p>{html.escape(str(error))}</p>", 409)
            await deliver(request.app, found.conversation_id, back_to_assistant(found, outcome))
            return redirect("/")

        return console


def describe_reason(ticket: Ticket) -> str:
    if ticket.crisis_at:
        return f"emergency: crisis message at {ticket.crisis_at:%H:%M} UTC"
    return ticket.reason


async def transcript(request: Request, conversation_id: str) -> str:
    """The conversation as list items: who said what, the handover, and crisis messages."""
    tracker = await request.app.ctx.agent.tracker_store.retrieve(conversation_id)
    lines = []
    for event in tracker.events if tracker else []:
        if isinstance(event, ConversationPaused):
            lines.append('<li class="system">Handed to the helpline</li>')
        elif isinstance(event, ConversationResumed):
            lines.append('<li class="system">Handed back to the assistant</li>')
        text = getattr(event, "text", None)
        if event.type_name not in SPEAKERS or not text:
            continue
        who = SPEAKERS[event.type_name]
        flag = ""
        if isinstance(event, BotUttered) and event.metadata.get("helpline"):
            who = "Helpline"
        if isinstance(event, UserUttered) and crisis_reply(event, None):
            flag = ' <strong class="urgent">crisis</strong>'
        lines.append(f"<li><strong>{who}:</strong>{flag} {html.escape(text)}</li>")
    return "".join(lines) or "<li>No messages yet.</li>"
