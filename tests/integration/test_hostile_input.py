"""Hostile input never gets a 500: every route in ``app.routes`` (every method, path parameters
filled), anonymously and as a firm's owner, with a NUL byte in the path, the query and the
body, page and offset numbers beyond 64 bits, and deeply nested JSON. What an attacker's run
found (issue 14, item 3): each of these was a 500 somewhere."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any
from urllib.parse import quote

from litestar import Litestar
from litestar.routes import HTTPRoute

from ordena.accounts import api_tokens
from ordena.db.engine import Database
from ordena.tenancy.models import Role
from tests.factories import PASSWORD, make_firm

NUL = "\x00"
HUGE = "99999999999999999999999"  # beyond a 64-bit integer
DEEP = "[" * 5000 + "]" * 5000
# The fields the pages' forms send (and those the JSON API reads), each filled with the same value.
FIELDS = [
    "email",
    "password",
    "confirm",
    "current",
    "name",
    "firm_name",
    "slug",
    "q",
    "to",
    "entity",
    "action",
    "actor",
    "status",
    "section",
    "size",
    "size_band",
    "sort",
    "page",
    "offset",
    "limit",
    "per_page",
    "title",
    "description",
    "body",
    "comment",
    "reason",
    "url",
    "kind",
    "role",
    "weight",
    "position",
    "level",
    "score",
    "value",
    "text",
    "note",
    "owner",
    "dimension",
    "due_date",
    "priority",
    "lang",
    "next",
    "industry_section",
    "industry_division",
    "country",
    "tax_id",
    "website",
    "blocked_reason",
    "progress",
    "kpi",
]
QUERY = ("page", "offset", "limit", "per_page", "q", "status", "to", "entity", "action", "actor")
DEPENDENCIES = {"db", "auth", "firm", "data", "request", "scope", "rdb", "state", "headers", "socket"}
SKIP = ("/static/", "/logout", "/account/password")  # files; signing out or re-keying would end the walk


def _handlers(app: Litestar) -> list[tuple[str, str, Any]]:
    out = []
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                for method in handler.http_methods:
                    if method not in {"OPTIONS", "HEAD"} and not route.path_format.startswith(SKIP):
                        out.append((route.path_format, method, handler))
    return out


def _path(path_format: str, slug: str, text: str) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "slug":
            return quote(slug, safe="")
        if name.endswith("_id"):
            return str(uuid.uuid4())
        return quote(text, safe="")

    return re.sub(r"\{(\w+)\}", fill, path_format)


def _query_names(handler: Any, path_format: str) -> set[str]:
    in_path = set(re.findall(r"\{(\w+)\}", path_format))
    names = set(handler.parsed_fn_signature.parameters) - DEPENDENCIES - in_path
    return names | set(QUERY)


def _cases(path_format: str, method: str, handler: Any, slug: str) -> list[dict[str, Any]]:
    """(url, body kind, body) for the hostile inputs this route takes."""
    query_names = sorted(_query_names(handler, path_format))
    cases: list[dict[str, Any]] = []
    has_text_param = any(n not in {"slug"} and not n.endswith("_id") for n in re.findall(r"\{(\w+)\}", path_format))
    if has_text_param:
        cases.append({"url": _path(path_format, slug, NUL + "x.css")})
    if "{slug}" in path_format:
        cases.append({"url": _path(path_format, slug + NUL, "x")})
    base = _path(path_format, slug, "x")
    for value in (NUL, HUGE, "-" + HUGE):
        cases.append({"url": base + "?" + "&".join(f"{n}={quote(value)}" for n in query_names)})
    if method in {"POST", "PUT", "PATCH", "DELETE"}:
        api = path_format.startswith("/api/")
        for value in (NUL, "a" + NUL + "b", HUGE):
            fields = dict.fromkeys(FIELDS, value)
            if api:
                cases.append({"url": base, "json": json.dumps({**fields, "items": [fields], "answers": [fields]})})
            else:
                cases.append({"url": base, "form": fields})
        cases.append({"url": base, "json": DEEP})
        cases.append({"url": base, "json": '{"name": ' + '{"a": ' * 3000 + "1" + "}" * 3000 + "}"})
    return cases


async def _send(client: Any, method: str, case: dict[str, Any], bearer: str | None) -> Any:
    headers = {"sec-fetch-site": "same-origin", "origin": "http://ordena.test"}
    if bearer and case["url"].startswith("/api/"):
        headers["authorization"] = f"Bearer {bearer}"
    if "form" in case:
        data = {**case["form"], "_csrf": await client.token()}
        return await client.client.request(method, case["url"], data=data, headers=headers)
    if "json" in case:
        headers["content-type"] = "application/json"
        headers["x-csrf-token"] = await client.token()
        return await client.client.request(method, case["url"], content=case["json"], headers=headers)
    return await client.client.request(method, case["url"], headers=headers)


async def _walk(app: Litestar, client: Any, slug: str, bearer: str | None) -> tuple[int, list[str]]:
    sent, failures = 0, []
    for path_format, method, handler in _handlers(app):
        for case in _cases(path_format, method, handler, slug):
            sent += 1
            try:
                response = await _send(client, method, case, bearer)
            except Exception as exc:  # a streamed response that failed after it started
                failures.append(f"{method} {case['url'][:120]!r} raised {type(exc).__name__}")
                continue
            if response.status_code >= 500:
                kind = "form" if "form" in case else "json" if "json" in case else "url"
                failures.append(f"{method} {case['url'][:120]!r} ({kind}) → {response.status_code}")
    return sent, failures


async def test_no_route_answers_hostile_input_with_a_500_signed_in_or_not(
    app: Litestar, database: Database, new_client: Any
) -> None:
    firm = await make_firm(database, roles=(Role.OWNER,))
    async with database.session() as db:
        bearer, _row = await api_tokens.create(db, firm.users[Role.OWNER].id, "walk")
        await db.commit()
    anonymous = await new_client()
    sent_anon, failures_anon = await _walk(app, anonymous, firm.slug, None)
    owner = await new_client()
    await owner.login(firm.email(Role.OWNER), PASSWORD)
    sent_owner, failures_owner = await _walk(app, owner, firm.slug, bearer)
    assert sent_anon > 500 and sent_owner > 500
    assert failures_anon + failures_owner == [], "\n".join(failures_anon + failures_owner)
