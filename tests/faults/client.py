"""A browser against a real web process, and polling."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from tests.conftest import CSRF_RE


class WebClient:
    """A browser against the real web process: cookies, the CSRF token from the last page."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.AsyncClient(base_url=base_url, timeout=30)
        self.csrf: str | None = None

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        response = await self.http.get(path, **kw)
        match = CSRF_RE.search(response.text) if "text/html" in response.headers.get("content-type", "") else None
        if match:
            self.csrf = match.group(1)
        return response

    async def post(self, path: str, data: dict[str, Any] | None = None, **kw: Any) -> httpx.Response:
        if self.csrf is None:
            await self.get("/login")
        form = {"_csrf": self.csrf, **(data or {})}
        headers = {"sec-fetch-site": "same-origin", "origin": self.base_url, **kw.pop("headers", {})}
        return await self.http.post(path, data=form, headers=headers, **kw)

    async def login(self, email_address: str, password: str) -> None:
        response = await self.post("/login", {"email": email_address, "password": password, "next": "/"})
        assert response.status_code in (302, 303), response.text[:500]
        self.csrf = None
        await self.get("/")

    async def close(self) -> None:
        await self.http.aclose()


async def poll(check: Any, *, within: float, what: str, every: float = 0.25) -> None:
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within:.0f} s waiting for {what}")
        await asyncio.sleep(every)
