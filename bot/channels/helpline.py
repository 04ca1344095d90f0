"""The helpline console for agents, served by Rasa as an input channel (credentials.yml:
bot.channels.helpline.HelplineConsole) under /webhooks/helpline/.

So far: signing in, the queue (most urgent first), claiming a ticket, reading its transcript
and replying (the reply reaches the person on their own channel). Pausing the assistant,
handing back and closing come next (issue 7).

Security: nothing but the sign-in page answers without a session; the session cookie is
HttpOnly and SameSite=Strict (and Secure behind https); every form carries a CSRF token tied
to the session (or, before sign-in, to a short-lived form token); five wrong passwords lock an
account for 15 minutes (bot/handoff.py); an agent cannot open a ticket another agent has
claimed. Sessions live in this process's memory: signing in again after a restart is expected.
"""

from __future__ import annotations

import html
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from string import Template
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.shared.core.events import BotUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.handoff import HandoffError, HandoffStore
from bot.settings import get_settings

PAGES = Path(__file__).resolve().parent / "helpline_static"
COOKIE = "hra_helpline"
SESSION_SECONDS = 8 * 3600
FORM_SECONDS = 15 * 60
HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
}


@dataclass
class Session:
    agent: str
    csrf: str
    expires: float


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
            if self._url.startswith("sqlite:///"):
                Path(self._url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            self._store = HandoffStore(self._url)
        return self._store

    def get_output_channel(self) -> None:
        return None  # the console sends nothing to people through Rasa's API

    # ---- sessions
    def _session(self, request: Request) -> Session | None:
        token = request.cookies.get(COOKIE, "")
        session = self._sessions.get(token)
        if session is None or session.expires < time.time():
            self._sessions.pop(token, None)
            return None
        return session

    def _csrf_ok(self, request: Request, session: Session | None) -> bool:
        sent = (request.form or {}).get("csrf", "") if request.form is not None else ""
        if session is not None:
            return secrets.compare_digest(sent, session.csrf)
        expires = self._forms.pop(sent, 0)
        return expires > time.time()

    def _login_page(self, error: str = "", status: int = 200) -> HTTPResponse:
        token = secrets.token_urlsafe(24)
        self._forms = {key: exp for key, exp in self._forms.items() if exp > time.time()}
        self._forms[token] = time.time() + FORM_SECONDS
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
                return await handler(request, session, *args, **kwargs)

            guarded.__name__ = handler.__name__
            return guarded

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
                message = "Wrong name or password, or the account is locked for a while."
                return self._login_page(message, 401)
            token = secrets.token_urlsafe(32)
            self._sessions[token] = Session(
                username, secrets.token_urlsafe(24), time.time() + SESSION_SECONDS
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
            done = response.redirect("/webhooks/helpline/login", status=303)
            del done.cookies[COOKIE]
            return done

        @console.route("/", methods=["GET"])
        @signed_in
        async def queue(request: Request, session: Session) -> HTTPResponse:
            rows = []
            for ticket in self.store.queue():
                mine = ticket.agent == session.agent
                if ticket.agent and not mine:
                    continue  # another agent's conversation
                rows.append(
                    page("queue_row").substitute(
                        id=ticket.id,
                        urgency="urgent" if ticket.reason == "emergency" else "",
                        reason=html.escape(ticket.reason),
                        channel=html.escape(ticket.channel),
                        region=html.escape(ticket.region or "unknown"),
                        opened=f"{ticket.opened_at:%Y-%m-%d %H:%M}",
                        status=html.escape(ticket.status),
                        action="Open" if mine else "Claim",
                        csrf=session.csrf,
                    )
                )
            body = page("queue").substitute(
                agent=html.escape(session.agent),
                csrf=session.csrf,
                rows="".join(rows) or '<tr><td colspan="6">Nobody is waiting.</td></tr>',
            )
            return render("Queue", body)

        @console.route("/tickets/<ticket_id:int>/claim", methods=["POST"])
        @signed_in
        async def claim(request: Request, session: Session, ticket_id: int) -> HTTPResponse:
            try:
                self.store.claim(ticket_id, session.agent)
            except HandoffError as error:
                return render("Not yours", f"<p>{html.escape(str(error))}</p>", 409)
            return response.redirect(f"/webhooks/helpline/tickets/{ticket_id}", status=303)

        @console.route("/tickets/<ticket_id:int>", methods=["GET"])
        @signed_in
        async def ticket(request: Request, session: Session, ticket_id: int) -> HTTPResponse:
            try:
                found = self.store.get(ticket_id)
            except HandoffError:
                return render("Not found", "<p>No such ticket.</p>", 404)
            if found.agent != session.agent:
                return render("Not yours", "<p>Claim this ticket first.</p>", 403)
            tracker = await request.app.ctx.agent.tracker_store.retrieve(found.conversation_id)
            lines = []
            for event in tracker.events if tracker else []:
                who = {"user": "Person", "bot": "Assistant"}.get(event.type_name)
                if who and getattr(event, "text", None):
                    lines.append(f"<li><strong>{who}:</strong> {html.escape(event.text)}</li>")
            body = page("ticket").substitute(
                reason=html.escape(found.reason),
                channel=html.escape(found.channel),
                region=html.escape(found.region or "unknown"),
                status=html.escape(found.status),
                agent=html.escape(found.agent or ""),
                transcript="".join(lines) or "<li>No messages yet.</li>",
                id=ticket_id,
                csrf=session.csrf,
            )
            return render(f"Ticket {ticket_id}", body)

        @console.route("/tickets/<ticket_id:int>/reply", methods=["POST"])
        @signed_in
        async def reply(request: Request, session: Session, ticket_id: int) -> HTTPResponse:
            text = str((request.form or {}).get("text", "")).strip()[:2000]
            if not text:
                return render("Nothing to send", "<p>Type a reply first.</p>", 400)
            if not self.store.may_reply(ticket_id, session.agent):
                return render("Not yours", "<p>Claim this ticket first.</p>", 403)
            delivered = await deliver(request, self.store.get(ticket_id).conversation_id, text)
            if not delivered:
                return render(
                    "Not delivered", "<p>This person's channel cannot be reached.</p>", 502
                )
            return response.redirect(f"/webhooks/helpline/tickets/{ticket_id}", status=303)

        return console


async def deliver(request: Request, conversation_id: str, text: str) -> bool:
    """Sends an agent's words to the person on their own channel and keeps them in the
    transcript: what Rasa's `POST /conversations/{id}/tracker/events?execute_side_effects=true
    &output_channel=latest` does, done in-process so that API can stay off the public side."""
    agent = request.app.ctx.agent
    async with agent.lock_store.lock(conversation_id):
        tracker = await agent.tracker_store.retrieve(conversation_id)
        if tracker is None:
            return False
        latest = tracker.get_latest_input_channel()
        channels = getattr(request.app.ctx, "input_channels", None) or []
        channel = next((c for c in channels if c.name() == latest), None)
        output = channel.get_output_channel() if channel else None
        if output is None:
            return False
        event = BotUttered(text, metadata={"helpline": True})
        tracker.update(event)
        await agent.tracker_store.save(tracker)
        await agent.processor.execute_side_effects([event], tracker, output)
    return True
