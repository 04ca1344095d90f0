"""The handoff store: tickets for conversations handed to a helpline worker, and agents.

SQLAlchemy (which Rasa already uses): SQLite by default, PostgreSQL when HRA_HANDOFF_DB says
so. A ticket holds only what routing needs (conversation id, channel, region, reason, kind,
times, status, agent); the transcript is the conversation's own tracker, not copied here. The
one exception is a message left for the team out of hours (kind "message"), which the person
chose to leave. Agents' passwords are hashed with scrypt (hashlib, a memory-hard key-derivation
function). Nothing locks an account: a lock anyone can trigger by guessing would let anyone
keep the helpline signed out; the console backs off per name and address instead
(bot/channels/helpline_sign_in.py). An agent counts as online while they have said they are
available and the console has heard from them recently.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import declarative_base, sessionmaker

from bot import clock
from bot.settings import get_settings

Base: Any = declarative_base()  # SQLAlchemy 1.4 has no typed declarative base

REASONS = ("emergency", "asked", "fallback")  # in order of urgency
WAITING, CLAIMED, CLOSED = "waiting", "claimed", "closed"
CHAT, MESSAGE = "chat", "message"  # a live conversation (paused assistant), or a left message
HANDED_BACK, ENDED = "handed_back", "ended"  # how a ticket was closed
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
# Checked instead of a real hash when there is none to check, so that every sign-in costs one
# scrypt. No password gives an all-zero digest (and sign_in refuses it whatever the result).
DUMMY_HASH = f"scrypt${'00' * 16}${'00' * 32}"


def utcnow() -> datetime:
    return clock.naive_utc_now()


class TicketRow(Base):
    __tablename__ = "handoff_tickets"
    id = sa.Column(sa.Integer, primary_key=True)
    conversation_id = sa.Column(sa.String(255), nullable=False, index=True)
    channel = sa.Column(sa.String(64), nullable=False)
    region = sa.Column(sa.String(64), nullable=True)
    reason = sa.Column(sa.String(32), nullable=False)
    kind = sa.Column(sa.String(16), nullable=True, default=CHAT)
    note = sa.Column(sa.Text, nullable=True)  # a left message, in the person's words
    crisis_at = sa.Column(sa.DateTime, nullable=True)  # a crisis message while handed over
    outcome = sa.Column(sa.String(16), nullable=True)
    status = sa.Column(sa.String(16), nullable=False, default=WAITING, index=True)
    agent = sa.Column(sa.String(64), nullable=True)
    opened_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    claimed_at = sa.Column(sa.DateTime, nullable=True)
    closed_at = sa.Column(sa.DateTime, nullable=True)


class AgentRow(Base):
    __tablename__ = "handoff_agents"
    username = sa.Column(sa.String(64), primary_key=True)
    password_hash = sa.Column(sa.String(255), nullable=False)
    # No longer used (there is no lock-out); kept because stores made by older versions have
    # them, failed_sign_ins NOT NULL without a server default, and rows must still insert.
    failed_sign_ins = sa.Column(sa.Integer, nullable=False, default=0)
    locked_until = sa.Column(sa.DateTime, nullable=True)
    available = sa.Column(sa.Boolean, nullable=True, default=False)
    last_seen = sa.Column(sa.DateTime, nullable=True)


@dataclass(frozen=True)
class Ticket:
    id: int
    conversation_id: str
    channel: str
    region: str | None
    reason: str
    status: str
    agent: str | None
    opened_at: datetime
    kind: str = CHAT
    note: str | None = None
    crisis_at: datetime | None = None
    outcome: str | None = None

    @classmethod
    def of(cls, row: TicketRow) -> Ticket:
        return cls(
            row.id,
            row.conversation_id,
            row.channel,
            row.region,
            row.reason,
            row.status,
            row.agent,
            row.opened_at,
            row.kind or CHAT,
            row.note,
            row.crisis_at,
            row.outcome,
        )


class HandoffError(ValueError):
    """A ticket or account operation that is not allowed (named in the message)."""


class TicketLimit(HandoffError):
    """No new ticket now: too many were opened (per conversation, or by everyone)."""


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), **_SCRYPT)
    return hmac.compare_digest(candidate.hex(), digest)


def add_missing_columns(engine: sa.engine.Engine) -> None:
    """Adds columns a newer version declares to tables an older one created. Additive only
    (every added column is nullable), so an existing store keeps its tickets and agents."""
    inspector = sa.inspect(engine)
    for table in Base.metadata.sorted_tables:
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in present and column.nullable:
                kind = column.type.compile(dialect=engine.dialect)
                with engine.begin() as connection:
                    connection.execute(
                        sa.text(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}")
                    )


class HandoffStore:
    def __init__(self, url: str, pool_size: int = 5) -> None:
        if url.startswith("sqlite:///"):
            # var/ by default: tickets and left messages, for this user's eyes only.
            Path(url.removeprefix("sqlite:///")).parent.mkdir(
                mode=0o700, parents=True, exist_ok=True
            )
        options: dict[str, Any] = (
            {}
            if url.startswith("sqlite")
            # A database restart leaves dead connections in the pool: test each before use.
            else {"pool_size": pool_size, "max_overflow": 5, "pool_pre_ping": True}
        )
        self.engine = sa.create_engine(url, future=True, **options)
        Base.metadata.create_all(self.engine)
        add_missing_columns(self.engine)
        self._session = sessionmaker(self.engine, future=True, expire_on_commit=False)

    # ---- tickets
    def open_ticket(
        self,
        conversation_id: str,
        channel: str,
        region: str | None,
        reason: str,
        kind: str = CHAT,
        note: str | None = None,
    ) -> Ticket:
        """A new waiting ticket, or the conversation's open one (one at a time): a live chat
        asked for after a left message turns that ticket into a chat, keeping the message."""
        if reason not in REASONS:
            raise HandoffError(f"unknown reason {reason!r}, expected one of {REASONS}")
        if kind not in (CHAT, MESSAGE):
            raise HandoffError(f"unknown kind {kind!r}, expected {CHAT!r} or {MESSAGE!r}")
        with self._session.begin() as session:
            existing = self._open_row(session, conversation_id)
            if existing:
                if REASONS.index(reason) < REASONS.index(existing.reason):
                    existing.reason = reason  # an emergency makes a waiting ticket urgent
                if kind == CHAT:
                    existing.kind = CHAT
                if note:
                    existing.note = "\n\n".join(filter(None, [existing.note, note]))
                existing.channel = channel  # where the person is now
                return Ticket.of(existing)
            self._check_limits(session, conversation_id)
            row = TicketRow(
                conversation_id=conversation_id,
                channel=channel,
                region=region,
                reason=reason,
                kind=kind,
                note=note,
            )
            session.add(row)
            session.flush()
            return Ticket.of(row)

    @staticmethod
    def _check_limits(session: Any, conversation_id: str) -> None:
        """New tickets are limited per conversation and for everyone together (the settings'
        `tickets_per_*`): a script opening conversation after conversation cannot bury the
        people waiting in the queue. Counted in the store, so it holds across servers."""
        limits, now = get_settings().limits, utcnow()
        opened = sa.select(sa.func.count(TicketRow.id))
        mine = opened.where(
            TicketRow.conversation_id == conversation_id,
            TicketRow.opened_at >= now - timedelta(days=1),
        )
        if session.execute(mine).scalar_one() >= limits.tickets_per_conversation:
            raise TicketLimit("this conversation has opened too many tickets today")
        everyone = opened.where(TicketRow.opened_at >= now - timedelta(hours=1))
        if session.execute(everyone).scalar_one() >= limits.tickets_per_hour:
            raise TicketLimit("too many new tickets in the last hour")

    def delete_for(self, conversation_id: str) -> int:
        """Deletes every ticket of a conversation (the person asked for it to be deleted)."""
        with self._session.begin() as session:
            return session.execute(
                sa.delete(TicketRow).where(TicketRow.conversation_id == conversation_id)
            ).rowcount

    def position(self, ticket_id: int) -> int:
        """Where a waiting ticket stands among the waiting ones of its kind (1 = next): people
        waiting to chat are not behind left messages."""
        tickets = self.queue()
        kind = next((ticket.kind for ticket in tickets if ticket.id == ticket_id), CHAT)
        waiting = [t.id for t in tickets if t.status == WAITING and t.kind == kind]
        return waiting.index(ticket_id) + 1 if ticket_id in waiting else 0

    def leave_for_later(self, ticket_id: int) -> Ticket:
        """A waiting chat nobody can take now stays in the queue as a left message."""
        with self._session.begin() as session:
            row = self._row(session, ticket_id, lock=True)
            if row.status == WAITING:
                row.kind = MESSAGE
            return Ticket.of(row)

    def flag_crisis(self, ticket_id: int, now: datetime | None = None) -> Ticket:
        """A crisis message came while the ticket was open: it goes to the top of the queue."""
        with self._session.begin() as session:
            row = self._row(session, ticket_id, lock=True)
            row.reason, row.crisis_at = "emergency", now or utcnow()
            return Ticket.of(row)

    def queue(self) -> list[Ticket]:
        """Waiting and claimed tickets: emergencies first, then the longest waiting."""
        urgency = sa.case(
            {reason: rank for rank, reason in enumerate(REASONS)}, value=TicketRow.reason
        )
        with self._session() as session:
            rows = session.execute(
                sa.select(TicketRow)
                .where(TicketRow.status != CLOSED)
                .order_by(urgency, TicketRow.opened_at, TicketRow.id)
            ).scalars()
            return [Ticket.of(row) for row in rows]

    def get(self, ticket_id: int) -> Ticket:
        with self._session() as session:
            return Ticket.of(self._row(session, ticket_id))

    def open_for(self, conversation_id: str) -> Ticket | None:
        with self._session() as session:
            row = self._open_row(session, conversation_id)
            return Ticket.of(row) if row else None

    @staticmethod
    def _row(session: Any, ticket_id: int, lock: bool = False) -> TicketRow:
        row = session.get(TicketRow, ticket_id, with_for_update=lock)
        if row is None:
            raise HandoffError(f"no ticket {ticket_id}")
        return row

    @staticmethod
    def _open_row(session: Any, conversation_id: str) -> TicketRow | None:
        """The conversation's ticket that is not closed (there is at most one)."""
        return session.execute(
            sa.select(TicketRow).where(
                TicketRow.conversation_id == conversation_id, TicketRow.status != CLOSED
            )
        ).scalar_one_or_none()

    @staticmethod
    def _open_for_agent(session: Any, ticket_id: int, agent: str) -> TicketRow:
        """The open ticket, locked for update; refused if closed or another agent's."""
        row = session.get(TicketRow, ticket_id, with_for_update=True)
        if row is None or row.status == CLOSED:
            raise HandoffError(f"ticket {ticket_id} is not open")
        if row.status == CLAIMED and row.agent != agent:
            raise HandoffError(f"ticket {ticket_id} is claimed by another agent")
        return row

    def claim(self, ticket_id: int, agent: str) -> Ticket:
        """The agent takes the ticket; refused if another agent has it or it is closed."""
        with self._session.begin() as session:
            row = self._open_for_agent(session, ticket_id, agent)
            row.status, row.agent, row.claimed_at = CLAIMED, agent, row.claimed_at or utcnow()
            row.kind = CHAT  # a claimed left message becomes a conversation with the agent
            return Ticket.of(row)

    def may_reply(self, ticket_id: int, agent: str) -> bool:
        ticket = self.get(ticket_id)
        return ticket.status == CLAIMED and ticket.agent == agent

    def close(self, ticket_id: int, agent: str, outcome: str = ENDED) -> Ticket:
        with self._session.begin() as session:
            row = self._open_for_agent(session, ticket_id, agent)
            row.status, row.closed_at, row.outcome = CLOSED, utcnow(), outcome
            row.agent = row.agent or agent
            return Ticket.of(row)

    # ---- agents
    def add_agent(self, username: str, password: str) -> None:
        if len(password) < 12:
            raise HandoffError("a password needs at least 12 characters")
        with self._session.begin() as session:
            if session.get(AgentRow, username):
                raise HandoffError(f"agent {username!r} already exists")
            session.add(AgentRow(username=username, password_hash=hash_password(password)))

    def sign_in(self, username: str, password: str, refused: bool = False) -> bool:
        """True for an agent's right password, unless the caller has already `refused` the
        attempt (backed off). Always one read and one scrypt verification, against a dummy
        hash for an unknown name or a refused attempt, so its time says nothing about which
        it was. Slow (about 50 ms of CPU): call it off the event loop."""
        with self._session() as session:
            row = session.get(AgentRow, username)
            stored = row.password_hash if row is not None else None
        right = check_password(password, stored if stored and not refused else DUMMY_HASH)
        return right and stored is not None and not refused

    def set_available(self, username: str, available: bool, now: datetime | None = None) -> None:
        with self._session.begin() as session:
            row = session.get(AgentRow, username, with_for_update=True)
            if row is None:
                raise HandoffError(f"no agent {username!r}")
            row.available, row.last_seen = available, now or utcnow()

    def seen(self, username: str, now: datetime | None = None) -> bool:
        """The console heard from this agent; returns whether they are available."""
        with self._session.begin() as session:
            row = session.get(AgentRow, username, with_for_update=True)
            if row is None:
                return False
            row.last_seen = now or utcnow()
            return bool(row.available)

    def agents_online(self, within: timedelta, now: datetime | None = None) -> int:
        """Available agents the console has heard from within `within`."""
        since = (now or utcnow()) - within
        with self._session() as session:
            return session.execute(
                sa.select(sa.func.count())
                .select_from(AgentRow)
                .where(AgentRow.available.is_(True), AgentRow.last_seen >= since)
            ).scalar_one()


@lru_cache(maxsize=4)
def handoff_store(url: str | None = None) -> HandoffStore:
    """One store (and connection pool) per database for this process, made on first use."""
    return HandoffStore(url or get_settings().handoff_db)
