"""Screenshots of pages in headless Chromium (Debian's), for looking at what we built.

Usage: uv run python scripts/screenshot.py BASE_URL OUT_DIR [--login EMAIL PASSWORD] PATH...
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("base")
    p.add_argument("out", type=Path)
    p.add_argument("--login", nargs=2)
    p.add_argument("--lang", default="es")
    p.add_argument("--width", type=int, default=1280)
    p.add_argument("paths", nargs="+")
    a = p.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": a.width, "height": 900}, locale=a.lang)
        # The language cookie outranks the user's saved locale: pages come out in --lang.
        context.add_cookies([{"name": "ordena_lang", "value": a.lang, "url": a.base}])
        page = context.new_page()
        if a.login:
            page.goto(a.base + "/login")
            page.fill("#f-email", a.login[0])
            page.fill("#f-password", a.login[1])
            page.click("main form button[type=submit]")
            page.wait_for_load_state()
        for path in a.paths:
            page.goto(a.base + path)
            name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
            page.screenshot(path=str(a.out / f"{name}-{a.lang}-{a.width}.png"), full_page=True)
            print("shot", path, page.title())
        browser.close()


if __name__ == "__main__":
    main()
