"""The web widget in a real browser: Debian's headless Chromium driven by Playwright, against
the real Rasa server (trained model, real action server, SQLite tracker store)."""

from __future__ import annotations

import functools
import http.server
import json
import threading
import urllib.error
import urllib.request

import pytest

from tests.browser import PHONE, ask, open_chat
from tests.harness import ROOT, free_port, rasa_server

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def server(action_server_url, tmp_path_factory):
    """The server, and a way to restart it on the same port with the same tracker store."""
    port, workdir = free_port(), tmp_path_factory.mktemp("web")
    origin = f"http://127.0.0.1:{port}"
    service = service_site(tmp_path_factory.mktemp("service"), origin)
    env = {
        "HRA_WEB_ALLOWED_ORIGINS": f"{origin},{service.origin}",
        "HRA_QUICK_EXIT_URL": f"{origin}/webhooks/rest/",
    }

    class Server:
        url = origin
        service_page = f"{service.origin}/index.html"

        def __init__(self):
            self._context = None

        def start(self):
            self._context = rasa_server(action_server_url, env, workdir, port)
            self._context.__enter__()

        def stop(self):
            self._context.__exit__(None, None, None)

    running = Server()
    running.start()
    yield running
    running.stop()
    service.shutdown()


def service_site(directory, assistant: str):
    """A harm-reduction service's own website on another origin (localhost, another port),
    with the widget on it by the README's script tag."""
    (directory / "index.html").write_text(
        "<!doctype html><html lang=en><title>A service</title><h1>Our service</h1>"
        f'<script src="{assistant}/webhooks/web/widget.js" defer></script>'
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    site.origin = f"http://localhost:{site.server_address[1]}"
    threading.Thread(target=site.serve_forever, daemon=True).start()
    return site


@pytest.fixture
async def page(browser, server):
    context = await browser.new_context(viewport=PHONE)
    opened = await context.new_page()
    await opened.goto(f"{server.url}/webhooks/web/")
    yield opened
    await context.close()


async def test_a_question_gets_a_sourced_answer_and_a_button_works(page):
    await open_chat(page)
    answer = await ask(page, "how do i use narcan")
    assert "Call 999 first" in answer and "Source:" in answer
    before = await page.locator(".hra-bot").count()
    await page.get_by_role("button", name="How long it lasts").click()
    await page.locator(".hra-bot").nth(before).wait_for(timeout=15_000)
    assert "wear off" in await page.locator(".hra-bot").last.inner_text()


async def test_a_crisis_shows_the_emergency_number(page):
    await open_chat(page)
    reply = await page.locator(".hra-emergency").inner_text()
    assert "call 999 now" in reply  # always visible, before anything is said
    assert (await ask(page, "my mate wont wake up")).startswith("Call 999 now")
    assert await page.locator(".hra-emergency a").get_attribute("href") == "tel:999"


async def test_the_emergency_line_follows_the_region(page):
    await open_chat(page)
    await ask(page, "im in melbourne")
    await page.wait_for_function(
        "document.querySelector('.hra-emergency').innerText.includes('000')"
    )


async def test_a_reload_keeps_the_conversation_within_the_session(page):
    await open_chat(page)
    await ask(page, "what is naloxone")
    await page.reload()
    await page.wait_for_selector(".hra-bot")
    assert "Naloxone is a medicine" in await page.locator(".hra-log").inner_text()
    stored = await page.evaluate("Object.keys(localStorage).length")
    assert stored == 0  # session storage only


async def test_quick_exit_leaves_nothing_in_storage_and_leaves_the_site(page, server):
    await open_chat(page)
    await ask(page, "what is naloxone")
    await page.keyboard.press("Escape")
    await page.keyboard.press("Escape")
    await page.wait_for_url(f"{server.url}/webhooks/rest/")
    assert await page.evaluate("sessionStorage.length + localStorage.length") == 0
    # The chat page was replaced in the history: Back does not bring it up again.
    await page.go_back()
    assert "/webhooks/web/" not in page.url


async def test_deleting_the_conversation_clears_the_chat_and_starts_a_new_one(page):
    await open_chat(page)
    await ask(page, "what is naloxone")
    before = await page.evaluate("JSON.parse(sessionStorage.getItem('hra-chat')).session_id")
    assert "can't be undone" in await ask(page, "delete my conversation")
    await page.get_by_role("button", name="Delete it").click()
    await page.get_by_text("This conversation has been deleted").wait_for(timeout=15_000)
    assert "naloxone" not in (await page.locator(".hra-log").inner_text()).lower()
    await page.wait_for_function(
        "JSON.parse(sessionStorage.getItem('hra-chat')).session_id !== null"
    )
    after = await page.evaluate("JSON.parse(sessionStorage.getItem('hra-chat'))")
    assert after["session_id"] != before and after["messages"] == []


async def test_the_quick_exit_button(page, server):
    await open_chat(page)
    await page.get_by_role("button", name="Quick exit").click()
    await page.wait_for_url(f"{server.url}/webhooks/rest/")
    assert await page.evaluate("sessionStorage.length") == 0


async def test_on_a_services_own_site_the_chat_works_and_takes_the_servers_settings(
    browser, server
):
    context = await browser.new_context(viewport=PHONE)
    try:
        page = await context.new_page()
        await page.goto(server.service_page)
        await open_chat(page)
        answer = await ask(page, "what is naloxone")
        assert "Source:" in answer
        await page.get_by_role("button", name="Quick exit").click()
        await page.wait_for_url(f"{server.url}/webhooks/rest/")  # the server's, not the default
    finally:
        await context.close()


def test_the_settings_are_readable_only_by_allowed_sites(server):
    def allowed_for(origin: str) -> str | None:
        request = urllib.request.Request(
            f"{server.url}/webhooks/web/config", headers={"Origin": origin}
        )
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.headers.get("Access-Control-Allow-Origin")

    service = server.service_page.removesuffix("/index.html")
    assert allowed_for(service) == service
    assert allowed_for("https://evil.example") is None


async def test_keyboard_only(page):
    await page.keyboard.press("Tab")  # the launcher is the first thing to reach
    assert await page.evaluate("document.activeElement.className") == "hra-launcher"
    await page.keyboard.press("Enter")
    await page.wait_for_function("window.io !== undefined")
    assert await page.evaluate("document.activeElement.id") == "hra-input"
    await page.keyboard.type("hi")
    await page.keyboard.press("Enter")
    await page.locator(".hra-choices button").first.wait_for(timeout=15_000)
    await page.locator(".hra-choices button").first.focus()
    before = await page.locator(".hra-bot").count()
    await page.keyboard.press("Enter")
    await page.locator(".hra-bot").nth(before).wait_for(timeout=15_000)
    assert "what would you like to know" in await page.locator(".hra-bot").last.inner_text()


async def test_no_serious_accessibility_violations(page):
    await open_chat(page)
    await ask(page, "hi")
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate(
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
    )
    serious = [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], json.dumps(result["violations"], indent=1)[:3000]


async def test_no_answer_is_never_silence(page, server):
    await open_chat(page)
    await ask(page, "hi")
    server.stop()
    try:
        reply = await ask(page, "what is naloxone", timeout=20_000)
        assert "can't answer right now" in reply and "call 999 now" in reply
    finally:
        server.start()


async def test_the_conversation_survives_a_server_restart(page, server):
    await open_chat(page)
    await ask(page, "im in cardiff")
    server.stop()
    server.start()
    # The same conversation: the region chosen before the restart is still known.
    reply = await ask(page, "who can i call", timeout=40_000)
    assert "Wales" in reply


def test_other_websites_cannot_open_the_chat(server):
    request = urllib.request.Request(
        f"{server.url}/socket.io/?EIO=4&transport=polling",
        headers={"Origin": "https://evil.example"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 400
    allowed = urllib.request.Request(
        f"{server.url}/socket.io/?EIO=4&transport=polling", headers={"Origin": server.url}
    )
    assert urllib.request.urlopen(allowed, timeout=5).status == 200


async def test_links_open_safely_and_numbers_dial(page):
    await open_chat(page)
    await ask(page, "needle exchange in glasgow?")
    web = page.locator(".hra-bot a[href^='https://www.nhsinform.scot']").last
    assert await web.get_attribute("target") == "_blank"
    assert await web.get_attribute("rel") == "noopener noreferrer"
    dial = page.locator(".hra-bot a[href='tel:111']").last
    assert await dial.inner_text() == "111" and await dial.get_attribute("target") is None
