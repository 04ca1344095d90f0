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
HttpOnly and SameSite=Strict (and Secure behind https); every form carries a CSRF token tied
to the session (or, before sign-in, to a short-lived form token); wrong passwords lock nobody
out (bot/handoff.py); an agent cannot open a ticket another agent has
claimed. Sessions live in this process's memory: signing in again after a restart is expected.
"""

from __future__ import annotations

import html
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from string import Template
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
COOKIE = "hra_helpline"
SESSION_SECONDS = 8 * 3600
FORM_SECONDS = 15 * 60
HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
}


@dataclass
class Session:
    agent: str
    csrf: str
    expires: float
    available: bool = False


@cache
def page(name: str) -> Template:
    return Template((PAGES / f"{name}.html").read_text(encoding="utf-8"))


def render(title: str, body: str, status: int = 200) -> HTTPResponse:
    text = page("page").substitute(title=html.escape(title), body=body)
    return response.html(text, status=status, headers=HEADERS)


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
        self._forms: dict[str, float] = {}  # sign-in form tokens, before there is a session

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

    def _csrf_ok(self, request: Request, session: Session | None) -> bool:
        sent = (request.form or {}).get("csrf", "") if request.form is not None else ""
        if session is not None:
            return secrets.compare_digest(sent, session.csrf)
        expires = self._forms.pop(sent, 0)
        return expires > clock.epoch_seconds()

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

    def _login_page(self, error: str = "", status: int = 200) -> HTTPResponse:
        token = secrets.token_urlsafe(24)
        self._forms = {key: exp for key, exp in self._forms.items() if exp > clock.epoch_seconds()}
        self._forms[token] = clock.epoch_seconds() + FORM_SECONDS
        body = page("login").substitute(error=html.escape(error), csrf=token)
        return render("Sign in", body, status)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        console = Blueprint("helpline_console", __name__)

        def signed_in(handler):
            async def guarded(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
                session = self._session(request)
                if session is None:
                    if request.method == "GET":
                        return response.redirect("/webhooks/helpline/login", status=303)
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
            return self._login_page()

        @console.route("/login", methods=["POST"])
        async def login(request: Request) -> HTTPResponse:
            if not self._csrf_ok(request, None):
                return render("Refused", "<p>This form has expired. Reload and retry.</p>", 403)
            form = request.form or {}
            username = str(form.get("username", ""))[:64]
            password = str(form.get("password", ""))[:256]
            if not self.store.sign_in(username, password):
                message = "Wrong name or password."
                return self._login_page(message, 401)
            self.store.set_available(username, True)  # signing in is starting a shift
            token = secrets.token_urlsafe(32)
            self._sessions[token] = Session(
                username, secrets.token_urlsafe(24), clock.epoch_seconds() + SESSION_SECONDS
            )
            done = response.redirect("/webhooks/helpline/", status=303, headers=HEADERS)
            done.cookies[COOKIE] = token
            cookie = done.cookies[COOKIE]
            cookie["httponly"] = True
            cookie["samesite"] = "Strict"
            cookie["path"] = "/webhooks/helpline"
            cookie["max-age"] = SESSION_SECONDS
            cookie["secure"] = request.scheme == "https"
            return done

        @console.route("/logout", methods=["POST"])
        @signed_in
        async def logout(request: Request, session: Session) -> HTTPResponse:
            self._sessions.pop(request.cookies.get(COOKIE, ""), None)
            self.store.set_available(session.agent, False)
            done = response.redirect("/webhooks/helpline/login", status=303)
            del done.cookies[COOKIE]
            return done

        @console.route("/availability", methods=["POST"])
        @signed_in
        async def availability(request: Request, session: Session) -> HTTPResponse:
            wanted = (request.form or {}).get("available") == "yes"
            self.store.set_available(session.agent, wanted)
            return response.redirect("/webhooks/helpline/", status=303)

        @console.route("/console.js", methods=["GET"])
        @signed_in
        async def script(request: Request, session: Session) -> HTTPResponse:
            return await response.file(PAGES / "console.js", headers=HEADERS)

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
            return response.html(rows, headers={**HEADERS, "X-Waiting": str(waiting)})

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
            return response.redirect(f"/webhooks/helpline/tickets/{ticket_id}", status=303)

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
            return response.html(lines, headers={**HEADERS, "X-Status": found.status})

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
            return response.redirect(f"/webhooks/helpline/tickets/{found.id}", status=303)

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
            return response.redirect("/webhooks/helpline/", status=303)

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
