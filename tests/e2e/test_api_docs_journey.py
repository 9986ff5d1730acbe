"""The API reference (/api/schema) renders in Chromium under our own CSP, from our own origin
(issue 14, item 7: it loaded a script from a CDN, which the CSP blocked: a blank page)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import DESKTOP

pytestmark = pytest.mark.e2e


def test_a_developer_reads_the_api_reference_served_from_our_own_origin(
    live_url: str, browser: Any, screenshot: Any
) -> None:
    # Not ``browser_page``: axe-core finds three faults in Swagger UI's own markup (the version
    # badge's contrast, a button inside a summary, the unlabeled servers select), not ours to fix.
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_url) else None)
    page.goto(live_url + "/api/schema")
    page.wait_for_selector(".swagger-ui .info .title", timeout=20000)
    assert "Ordena API" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector(".opblock-tag-section", timeout=10000)
    assert "companies" in page.inner_text(".swagger-ui").lower()
    assert "/signup" not in page.inner_text(".swagger-ui")  # pages are not part of the API
    screenshot(page, "api-reference")
    assert refused == [], refused
    assert outside == [], outside
    context.close()
