"""Small helpers for the accounts journeys: read the mail the product sent, find cookies."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from ordena.accounts.models import User
from ordena.db.engine import Database
from ordena.mail.models import Email

LINK_RE = re.compile(r"(https?://[^\s\"'<>]+/links/[A-Za-z0-9_\-]+)")


async def last_email(database: Database, to: str) -> Email | None:
    async with database.session() as db:
        return await db.scalar(select(Email).where(Email.to == to).order_by(Email.created_at.desc()).limit(1))


async def link_in_last_email(database: Database, to: str) -> str:
    email = await last_email(database, to)
    assert email is not None, f"no email to {to}"
    match = LINK_RE.search(email.text_body)
    assert match, email.text_body
    return match.group(1)


async def count_users(database: Database, email: str) -> int:
    async with database.session() as db:
        return int(
            await db.scalar(select(func.count()).select_from(User).where(func.lower(User.email) == email.lower())) or 0
        )


def set_cookie_headers(response: Any) -> list[str]:
    return [v for k, v in response.headers.multi_items() if k.lower() == "set-cookie"]


def cookie_attrs(response: Any, name: str) -> str:
    """The Set-Cookie header of ``name`` in ``response`` (fails if absent)."""
    for header in set_cookie_headers(response):
        if header.split("=", 1)[0].strip() == name:
            return header
    raise AssertionError(f"no Set-Cookie for {name}: {set_cookie_headers(response)}")


def put_cookie(browser: Any, name: str, value: str) -> None:
    """Replace the browser's cookie ``name`` (as a stolen or planted cookie would be)."""
    jar = browser.cookies.jar
    for cookie in list(jar):
        if cookie.name == name:
            jar.clear(cookie.domain, cookie.path, cookie.name)
    browser.cookies.set(name, value, domain="ordena.test", path="/")


async def follow_link(client: Any, path: str) -> Any:
    """Open an emailed link as a person does: its page (GET, which uses nothing), then its button
    (POST). Returns the POST's response."""
    page = await client.get(path, follow_redirects=False)
    assert page.status_code == 200, page.status_code
    assert f'action="{path}"' in page.text
    return await client.post(path, {}, follow_redirects=False)
