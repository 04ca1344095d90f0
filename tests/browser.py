"""Driving the web widget in Debian's headless Chromium (Playwright): shared by browser tests."""

from __future__ import annotations

from playwright.async_api import Browser

CHROMIUM = "/usr/bin/chromium"
# As the machine's probe starts it: no sandbox as root, and no background calls to Google.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}


async def ask(page, text: str, timeout: float = 15_000) -> str:
    """Types a message, waits for the answer to it, returns the last bot message's text."""
    before = await page.locator(".hra-bot").count()
    await page.fill("#hra-input", text)
    await page.press("#hra-input", "Enter")
    await page.locator(".hra-bot").nth(before).wait_for(timeout=timeout)
    await page.wait_for_timeout(300)  # the rest of the reply's messages
    return said(await page.locator(".hra-bot").last.inner_text())


def said(text: str) -> str:
    """A message's words without the label screen readers hear first ("Assistant:")."""
    return text.split("\n", 1)[1] if text.startswith(("Assistant:", "You said:")) else text


async def open_chat(page):
    await page.click(".hra-launcher")
    await page.wait_for_function("window.io !== undefined")


async def launch(playwright) -> Browser:
    return await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
