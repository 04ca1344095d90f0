"""Two Rasa servers behind one address, as deploy/ runs them: PostgreSQL tracker and handoff
stores, Redis lock store and socket.io manager, one action server. Messages for the same
conversations go to both servers at once; a worker's reply sent by one server reaches a person
connected to the other; the database restarting is survived."""

from __future__ import annotations

import asyncio
import json
import re
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import aiohttp
import pytest
import socketio
import sqlalchemy as sa

from bot.handoff import HandoffStore
from tests.harness import action_server, always_open_helpline, free_port, rasa_server
from tests.integration.databases import postgres_server, redis_server

PASSWORD = "a long enough secret"
QUESTIONS = [
    "what is naloxone",
    "how do i use narcan",
    "how long does withdrawal last",
    "is subutex better than methadone",
    "can u get naloxone free",
    "what are the signs of an overdose",
]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("cluster")
    with ExitStack() as stack:
        postgres = stack.enter_context(postgres_server(["rasa", "handoff"]))
        redis_url, redis_port = stack.enter_context(redis_server())
        store = HandoffStore(postgres.url("handoff"))
        store.add_agent("sam", PASSWORD)
        ports = [free_port(), free_port()]
        env = {
            "HRA_HANDOFF_DB": postgres.url("handoff"),
            "HRA_HELPLINE_CONFIG": str(always_open_helpline(workdir)),
            "HRA_SOCKETIO_REDIS_URL": f"{redis_url}/1",
            "HRA_WEB_ALLOWED_ORIGINS": ",".join(f"http://127.0.0.1:{port}" for port in ports),
            "SQL_POOL_SIZE": "5",
            "SQL_MAX_OVERFLOW": "5",
        }
        stores = (
            "tracker_store:\n  type: bot.stores.sql_tracker.ResilientSQLTrackerStore\n"
            "  dialect: postgresql\n  url: 127.0.0.1\n"
            f"  port: {postgres.port}\n  db: rasa\n  username: rasa\n"
            "lock_store:\n  type: bot.stores.redis_lock.AtomicRedisLockStore\n  url: 127.0.0.1\n"
            f"  port: {redis_port}\n  db: 0\n"
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
        yield bases, postgres, store


async def rest(client, base, sender, message) -> str:
    async with client.post(
        f"{base}/webhooks/rest/webhook", json={"sender": sender, "message": message}
    ) as answer:
        assert answer.status == 200
        return "\n".join(reply.get("text") or "" for reply in await answer.json())


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
    bases, postgres, _ = cluster
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
    (person_server, worker_server), _, store = cluster
    store.set_available("sam", True)
    person = socketio.AsyncClient()
    heard: list[dict] = []
    person.on("bot_uttered", lambda message: heard.append(message))
    confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
    person.on("session_confirm", lambda session_id: confirmed.set_result(session_id))
    await person.connect(person_server, headers={"Origin": person_server})
    await person.emit("session_request", {"session_id": None})
    session_id = await asyncio.wait_for(confirmed, 10)
    await person.emit(
        "user_uttered", {"message": "can i talk to a real person", "session_id": session_id}
    )

    async def hear(words: str) -> dict:
        for _ in range(150):
            found = [m for m in heard if words in (m.get("text") or "")]
            if found:
                return found[0]
            await asyncio.sleep(0.1)
        raise AssertionError(f"never heard {words!r}: {heard}")

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
    bases, postgres, _ = cluster
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
