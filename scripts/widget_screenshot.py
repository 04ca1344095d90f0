"""Takes README's screenshot of the widget on a phone-sized page (360 x 740).

    make run            # in one terminal
    .venv/bin/python scripts/widget_screenshot.py [http://localhost:5005]
"""

import asyncio
import sys
from pathlib import Path

from playwright.async_api import async_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.browser import PHONE, launch  # noqa: E402

OUT = ROOT / "docs" / "widget-phone.png"


async def main(server: str) -> None:
    async with async_playwright() as playwright:
        browser = await launch(playwright)
        page = await browser.new_page(viewport=PHONE)
        await page.goto(f"{server}/webhooks/web/")
        await page.click(".hra-launcher")
        await page.wait_for_function("window.io !== undefined")
        await page.fill("#hra-input", "can u get naloxone free")
        await page.press("#hra-input", "Enter")
        await page.locator(".hra-choices").first.wait_for(timeout=15_000)
        await page.wait_for_timeout(500)
        await page.screenshot(path=str(OUT))
        await browser.close()
    print(f"wrote {OUT}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "http://localhost:5005"))
