"""Takes README's two handoff screenshots: the person's phone and the worker's console, in the
middle of a conversation handed to the helpline.

    make run                                                       # in one terminal
    printf '%s\n' "$PASSWORD" | .venv/bin/python -m bot.handoff_cli add-agent robin --password-stdin
    HRA_AGENT_PASSWORD="$PASSWORD" .venv/bin/python scripts/handoff_screenshots.py robin [URL]

Needs the helpline open by bot/content/helpline.yml's hours (or HRA_HELPLINE_CONFIG).
"""

import asyncio
import os
import sys
from pathlib import Path

from playwright.async_api import async_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.browser import PHONE, launch  # noqa: E402

PHONE_OUT = ROOT / "docs" / "handoff-phone.png"
CONSOLE_OUT = ROOT / "docs" / "helpline-console.png"


async def main(agent: str, password: str, server: str) -> None:
    async with async_playwright() as playwright:
        browser = await launch(playwright)
        worker = await (await browser.new_context(viewport={"width": 900, "height": 720})).new_page()
        await worker.goto(f"{server}/webhooks/helpline/login")
        await worker.fill("#username", agent)
        await worker.fill("#password", password)
        await worker.click("button[type=submit]")
        await worker.wait_for_url(f"{server}/webhooks/helpline/")

        person = await (await browser.new_context(viewport=PHONE)).new_page()
        await person.goto(f"{server}/webhooks/web/")
        await person.click(".hra-launcher")
        await person.wait_for_function("window.io !== undefined")

        async def say(text: str) -> None:
            await person.fill("#hra-input", text)
            await person.press("#hra-input", "Enter")
            await person.wait_for_timeout(2500)

        await say("can I talk to an actual person?")
        row = worker.locator("#queue tr", has_text="web chat").last
        await row.get_by_role("button", name="Claim").click(timeout=15_000)
        await say("my boyfriend has been using more since he lost his job. im scared")
        await worker.locator("#transcript").get_by_text("im scared").wait_for(timeout=10_000)
        await worker.fill("#reply", "I'm here. That sounds really frightening. Does he have naloxone?")
        await worker.click("text=Send")
        await person.locator(".hra-worker").first.wait_for(timeout=10_000)
        await person.wait_for_timeout(500)
        await person.screenshot(path=str(PHONE_OUT))
        await worker.wait_for_timeout(2500)
        await worker.screenshot(path=str(CONSOLE_OUT))
        await worker.click("text=Hand back to the assistant")
        await browser.close()
    print(f"wrote {PHONE_OUT} and {CONSOLE_OUT}")


if __name__ == "__main__":
    if len(sys.argv) < 2 or not os.environ.get("HRA_AGENT_PASSWORD"):
        sys.exit(__doc__)
    url = sys.argv[2] if len(sys.argv) > 2 else "http://localhost:5005"
    asyncio.run(main(sys.argv[1], os.environ["HRA_AGENT_PASSWORD"], url))
