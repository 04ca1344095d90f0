"""Two Rasa servers behind one address, as deploy/ runs them: PostgreSQL tracker and handoff
stores, Redis (configured by deploy/redis.conf: a password, no anonymous user) for the lock store
and the socket.io manager, one action server. Messages for the same conversations go to both
servers at once; a worker's reply sent by one server reaches a person connected to the other;
the database restarting is survived; Telegram's handled updates are remembered by every server
and across restarts; Redis refuses anyone without the password, and a pickle
published on the socket.io channel runs nothing in the servers (CVE-2025-61765)."""

from __future__ import annotations

import asyncio
import json
import os
import pickle
import re
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import aiohttp
import pytest
import redis
import socketio
import sqlalchemy as sa

from bot.handoff import HandoffStore
from bot.telegram.seen import KEEP_SECONDS, RedisMemory
from tests import socketio_client
from tests.fakes.telegram_server import FakeTelegram
from tests.harness import action_server, always_open_helpline, free_port, rasa_server
from tests.integration.databases import postgres_server, redis_server

PASSWORD = "a long enough secret"
TELEGRAM = {"X-Telegram-Bot-Api-Secret-Token": "cluster-secret"}
QUESTIONS = [
    "what is naloxone",
    "how do i use narcan",
    "how long does withdrawal last",
    "is subutex better than methadone",
    "can u get naloxone free",
    "what are the signs of an overdose",
]


@pytest.fixture(scope="module")
async def telegram():
    """A fake Telegram Bot API server both Rasa servers send their replies to."""
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, telegram):
    workdir = tmp_path_factory.mktemp("cluster")
    with ExitStack() as stack:
        postgres = stack.enter_context(postgres_server(["rasa", "handoff"]))
        redis_db = stack.enter_context(redis_server(workdir))
        store = HandoffStore(postgres.url("handoff"))
        store.add_agent("sam", PASSWORD)
        ports = [free_port(), free_port()]
        env = {
            "HRA_HANDOFF_DB": postgres.url("handoff"),
            "HRA_HELPLINE_CONFIG": str(always_open_helpline(workdir)),
            "HRA_SOCKETIO_REDIS_URL": redis_db.url(1),
            "HRA_WEB_ALLOWED_ORIGINS": ",".join(f"http://127.0.0.1:{port}" for port in ports),
            "TELEGRAM_TOKEN": "123456:cluster-token",
            "TELEGRAM_SECRET_TOKEN": TELEGRAM["X-Telegram-Bot-Api-Secret-Token"],
            "TELEGRAM_API_URL": telegram.url,
            "SQL_POOL_SIZE": "5",
            "SQL_MAX_OVERFLOW": "5",
        }
        stores = (
            "tracker_store:\n  type: bot.stores.sql_tracker.ResilientSQLTrackerStore\n"
            "  dialect: postgresql\n  url: 127.0.0.1\n"
            f"  port: {postgres.port}\n  db: rasa\n  username: rasa\n"
            "lock_store:\n  type: bot.stores.redis_lock.AtomicRedisLockStore\n  url: 127.0.0.1\n"
            f"  port: {redis_db.port}\n  db: 0\n"
            f'  username: {redis_db.user}\n  password: "{redis_db.password}"\n'
        )
        actions = stack.enter_context(action_server(env))
        servers = [
            rasa_server(
                actions,
                env,
                workdir / f"rasa{n}",
                port,
                log=workdir / f"rasa{n}.log",
                stores=stores,
            )
            for n, port in enumerate(ports)
        ]
        for n in range(2):
            (workdir / f"rasa{n}").mkdir()
        with ThreadPoolExecutor(2) as starting:  # both load the model at once
            bases = list(starting.map(lambda server: server.__enter__(), servers))
        for server in servers:
            stack.callback(server.__exit__, None, None, None)
        yield bases, postgres, store, redis_db


async def rest(client, base, sender, message) -> str:
    async with client.post(
        f"{base}/webhooks/rest/webhook", json={"sender": sender, "message": message}
    ) as answer:
        assert answer.status == 200
        return "\n".join(reply.get("text") or "" for reply in await answer.json())


async def web_chat(server: str) -> tuple[socketio.AsyncClient, list[dict], str]:
    """A person on the web chat of `server`: the client, what it hears, its session id."""
    person = socketio_client.client()
    heard: list[dict] = []
    person.on("bot_uttered", lambda message: heard.append(message))
    confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
    person.on("session_confirm", lambda session_id: confirmed.set_result(session_id))
    await person.connect(server, headers={"Origin": server})
    assert person.transport() == "websocket"  # upgraded from polling, as the widget's is
    await person.emit("session_request", {"session_id": None})
    return person, heard, await asyncio.wait_for(confirmed, 10)


async def heard_in(heard: list[dict], words: str) -> dict:
    for _ in range(150):
        found = [m for m in heard if words in (m.get("text") or "")]
        if found:
            return found[0]
        await asyncio.sleep(0.1)
    raise AssertionError(f"never heard {words!r}: {heard}")


def stored(postgres, sender) -> list[tuple[str, dict]]:
    engine = sa.create_engine(postgres.url("rasa"))
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT type_name, data FROM events WHERE sender_id = :s ORDER BY id"),
            {"s": sender},
        ).all()
    engine.dispose()
    return [(kind, json.loads(data)) for kind, data in rows]


async def test_interleaved_messages_to_both_servers_are_stored_once_each_in_order(cluster):
    bases, postgres, *_ = cluster
    senders = [f"scale-{n}" for n in range(8)]
    async with aiohttp.ClientSession() as client:
        replies = await asyncio.gather(
            *(
                rest(client, bases[turn % 2], sender, question)
                for sender in senders
                for turn, question in enumerate(QUESTIONS)
            )
        )
    assert all("Source:" in reply for reply in replies), [
        r[:80] for r in replies if "Source:" not in r
    ]  # every message answered
    for sender in senders:
        events = stored(postgres, f"rest:{sender}")
        said = [data["text"] for kind, data in events if kind == "user"]
        assert sorted(said) == sorted(QUESTIONS), sender  # each message stored exactly once
        # One turn at a time (the Redis lock): each message's reply and action_listen come
        # before the next message, never mixed with another turn's.
        kinds = [kind if kind != "action" else data["name"] for kind, data in events]
        starts = [n for n, kind in enumerate(kinds) if kind == "user"]
        turns = [kinds[a:b] for a, b in zip(starts, [*starts[1:], len(kinds)], strict=True)]
        assert all("bot" in turn and turn[-1] == "action_listen" for turn in turns), kinds


async def test_a_workers_reply_from_one_server_reaches_a_person_on_the_other(cluster):
    (person_server, worker_server), _, store, _ = cluster
    store.set_available("sam", True)
    person, heard, session_id = await web_chat(person_server)
    await person.emit(
        "user_uttered", {"message": "can i talk to a real person", "session_id": session_id}
    )

    async def hear(words: str) -> dict:
        return await heard_in(heard, words)

    await hear("in the queue")
    ticket = store.open_for(f"web:{session_id.split('.')[0]}")  # the signed id's value
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as worker:
        console = f"{worker_server}/webhooks/helpline"
        page = await (await worker.get(f"{console}/login")).text()
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        await worker.post(
            f"{console}/login", data={"csrf": token, "username": "sam", "password": PASSWORD}
        )
        page = await (await worker.get(f"{console}/")).text()
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        await worker.post(f"{console}/tickets/{ticket.id}/claim", data={"csrf": csrf})
        await hear("A helpline worker has joined")
        await worker.post(
            f"{console}/tickets/{ticket.id}/reply", data={"csrf": csrf, "text": "Hi, I'm here."}
        )
        assert (await hear("Hi, I'm here."))["from"] == "helpline"
        await worker.post(f"{console}/tickets/{ticket.id}/handback", data={"csrf": csrf})
        await hear("handed you back to me")
    await person.disconnect()
    store.set_available("sam", False)


async def test_the_database_restarting_is_survived(cluster):
    bases, postgres, *_ = cluster
    async with aiohttp.ClientSession() as client:
        assert "Source:" in await rest(client, bases[0], "db-restart", "what is naloxone")
        postgres.stop()
        try:
            # Rasa answers from memory while the database is away: never silence.
            during = await rest(client, bases[0], "db-restart", "how do i use narcan")
            assert "999" in during
        finally:
            postgres.start()
        after = await rest(client, bases[1], "db-restart", "how long does withdrawal last")
    assert "Source:" in after
    said = [data["text"] for kind, data in stored(postgres, "rest:db-restart") if kind == "user"]
    # Kept once the database is back, on the first try, in the same conversation.
    assert said[0] == "what is naloxone" and said[-1] == "how long does withdrawal last"


def test_redis_refuses_anyone_without_the_password(cluster):
    *_, redis_db = cluster
    anonymous = redis.Redis(port=redis_db.port, socket_timeout=5)
    with pytest.raises(redis.AuthenticationError):
        anonymous.ping()
    with pytest.raises(redis.AuthenticationError):
        anonymous.publish("socketio", b"anything")
    with pytest.raises(redis.AuthenticationError):  # the default user is off, password or not
        redis.Redis(port=redis_db.port, password=redis_db.password).ping()
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=redis_db.port, username="hra", password="guess").ping()
    servers = redis.Redis(port=redis_db.port, username="hra", password=redis_db.password)
    assert servers.ping()
    with pytest.raises(redis.exceptions.NoPermissionError):  # and no admin commands for them
        servers.config_set("dir", "/tmp")
    with pytest.raises(redis.exceptions.NoPermissionError):
        servers.flushall()


class Plant:
    """Unpickling this makes the directory `path`: the proof that pickle ran."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (os.mkdir, (self.path,))


async def test_a_pickle_published_on_the_socketio_channel_runs_nothing(cluster, tmp_path):
    bases, *_, redis_db = cluster
    marker = tmp_path / "pickle-ran"
    people = [await web_chat(base) for base in bases]  # each server's manager now listens
    publisher = redis.Redis(port=redis_db.port, username="hra", password=redis_db.password)
    planted = pickle.dumps({"method": "enter_room", "payload": Plant(str(marker))})
    for _ in range(100):  # until both servers are subscribed and receive it
        if publisher.publish("socketio", planted) >= 2:
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("the servers never subscribed to the socket.io channel")
    # A JSON message published after it reaches each person: each server has read the pickle.
    for n, (_, heard, session_id) in enumerate(people):
        room = f"web:{session_id.split('.')[0]}"  # the conversation of the signed session id
        after = {"method": "emit", "event": "bot_uttered", "data": {"text": f"after {n}"},
                 "namespace": "/", "room": room, "host_id": "test"}  # fmt: skip
        publisher.publish("socketio", json.dumps(after))
        await heard_in(heard, f"after {n}")
    assert not marker.exists()
    for person, *_ in people:
        await person.disconnect()


async def test_a_telegram_update_is_handled_once_by_all_servers_and_after_a_restart(cluster):
    *_, redis_db = cluster
    url = redis_db.url(1)  # as the servers have it: HRA_SOCKETIO_REDIS_URL
    servers = [RedisMemory(url, "123456") for _ in range(6)]
    # Telegram resends the same update while the first delivery is still being handled.
    firsts = await asyncio.gather(*(memory.first_time(9001) for memory in servers))
    assert sorted(firsts) == [False] * 5 + [True]
    restarted = RedisMemory(url, "123456")
    assert not await restarted.first_time(9001)
    assert await restarted.first_time(9002)
    another_bot = RedisMemory(url, "654321")
    assert await another_bot.first_time(9001)  # update ids count per bot
    keys = redis.Redis(port=redis_db.port, username=redis_db.user, password=redis_db.password, db=1)
    assert 0 < keys.ttl("hra:telegram:update:123456:9001") <= KEEP_SECONDS  # it expires
    for memory in [*servers, restarted, another_bot]:
        assert not memory._failing  # every answer came from Redis, none from a fallback
        await memory.red.close()


async def test_telegram_resending_an_update_to_both_servers_gets_one_answer(cluster, telegram):
    bases, *_ = cluster

    def update(update_id: int) -> dict:
        chat = {"id": 5150, "type": "private"}
        return {"update_id": update_id, "message": {"message_id": update_id, "date": 0,
                "chat": chat, "from": {"id": 5150}, "text": "what is naloxone"}}  # fmt: skip

    def answers() -> int:
        return sum(str(sent.get("chat_id")) == "5150" for sent in telegram.sent())

    async with aiohttp.ClientSession() as client:

        async def post(base: str, body: dict) -> int:
            hook = f"{base}/webhooks/telegram/webhook"
            async with client.post(hook, json=body, headers=TELEGRAM) as answer:
                return answer.status

        # The same update at both servers at once (Telegram retrying while the first is slow).
        assert await asyncio.gather(*(post(base, update(880001)) for base in bases)) == [200, 200]
        once = answers()
        assert await post(bases[1], update(880001)) == 200  # and again, later
        assert once > 0 and answers() == once
        # A new update of the same words is answered: exactly as many messages again.
        assert await post(bases[0], update(880002)) == 200
        assert answers() == 2 * once
