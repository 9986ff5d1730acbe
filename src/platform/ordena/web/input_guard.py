"""Hostile input stopped at the edge, once, before any handler reads it.

Every request goes through :func:`check_target` (path and query) and, when it carries a form or
JSON body, :func:`screened_receive`. What they refuse with a 400 and a plain message:

- a NUL byte anywhere in the path, the query, an urlencoded form or a JSON string (PostgreSQL
  text cannot hold one: the driver raised and the page was a 500);
- on the API, a paging number (``page``, ``offset``, ``limit``, ``per_page``, ``revision``)
  outside ±2³¹ (beyond 64 bits the database refused it, in between the offset overflowed); a
  page drops such a number instead, so its list shows page 1 as for any junk page number;
- JSON nested deeper than :data:`MAX_JSON_DEPTH` (the decoder or the error page recursed
  without end).

What it rewrites rather than refuses: full-width characters and bidi control characters in
form and JSON text (``lib.text.clean_text``: names typed with full-width digits, a file name
reversed by U+202E).

Multipart bodies (uploads) are not screened here: their text fields reach the database as any
other and a NUL there is answered 400 by the error handler (``web.errors.data_error``).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

from litestar.exceptions import HTTPException
from litestar.types import Receive, ReceiveMessage, Scope

from ordena.lib.i18n import _
from ordena.lib.text import clean_text, needs_cleaning

MAX_JSON_DEPTH = 32
INT_PARAMS = frozenset({"page", "offset", "limit", "per_page", "revision"})
INT_BOUND = 2**31
_INT_RE = re.compile(r"[+-]?\d+")
# A JSON string's escaped NUL: \u0000 after an even number of backslashes (so not "\\u0000").
_JSON_NUL_RE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)
_JSON_STRING_RE = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKETS_RE = re.compile(rb"[\[\]{}]")
_SCREENED = (b"application/x-www-form-urlencoded", b"application/json")
# Full-width forms, the ideographic space and the bidi controls, percent-encoded (forms) or as
# raw UTF-8 (JSON): only a body holding one of them is rewritten.
_CLEAN_FORM_RE = re.compile(rb"%(?:E2%80%(?:8[EF]|A[A-E])|E2%81%A[6-9]|D8%9C|EF%BC|EF%BD|E3%80%80)", re.IGNORECASE)
_CLEAN_JSON_RE = re.compile(
    rb"\\u(?:200[ef]|202[a-e]|206[6-9]|061c|ff[0-5][0-9a-f]|3000)|\xe2\x80[\x8e\x8f\xaa-\xae]"
    rb"|\xe2\x81[\xa6-\xa9]|\xd8\x9c|\xef\xbc|\xef\xbd|\xe3\x80\x80",
    re.IGNORECASE,
)


class BadInput(HTTPException):
    status_code = 400


def _refuse_nul() -> BadInput:
    return BadInput(detail=_("La solicitud contiene un carácter no permitido (NUL). Revisa el texto enviado."))


def check_target(scope: Scope) -> None:
    """The path and query string: no NUL, paging numbers within bounds. Out of bounds, the API
    answers 400; a page drops the number (its list shows page 1, as for any junk page number)."""
    raw_path = scope.get("raw_path") or b""
    if "\x00" in scope.get("path", "") or b"%00" in raw_path:
        raise _refuse_nul()
    query: bytes = scope.get("query_string", b"")
    if not query:
        return
    if b"%00" in query or b"\x00" in query:
        raise _refuse_nul()
    pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    wild = [key for key, value in pairs if key in INT_PARAMS and _out_of_bounds(value)]
    if not wild:
        return
    if scope.get("path", "").startswith("/api/"):
        raise BadInput(detail=_("El valor de «{name}» está fuera del rango permitido.").format(name=wild[0]))
    kept = [(key, value) for key, value in pairs if key not in wild]
    scope["query_string"] = urlencode(kept).encode("ascii")


def _out_of_bounds(value: str) -> bool:
    value = value.strip()
    return bool(_INT_RE.fullmatch(value)) and not -INT_BOUND < int(value) < INT_BOUND


def check_body(content_type: bytes, body: bytes) -> None:
    if b"\x00" in body:
        raise _refuse_nul()
    if content_type.startswith(b"application/x-www-form-urlencoded"):
        if b"%00" in body:
            raise _refuse_nul()
        return
    if _JSON_NUL_RE.search(body):
        raise _refuse_nul()
    if json_depth(body) > MAX_JSON_DEPTH:
        raise BadInput(detail=_("El JSON enviado está anidado a más de {n} niveles.").format(n=MAX_JSON_DEPTH))


def cleaned_body(content_type: bytes, body: bytes) -> bytes:
    """The body with its text cleaned (``lib.text``), re-encoded; untouched when nothing needs it."""
    if content_type.startswith(b"application/x-www-form-urlencoded"):
        if not _CLEAN_FORM_RE.search(body) and not _CLEAN_JSON_RE.search(body):
            return body
        pairs = parse_qsl(body.decode("latin-1"), keep_blank_values=True, encoding="utf-8", errors="replace")
        return urlencode([(clean_text(k), clean_text(v)) for k, v in pairs]).encode()
    if not _CLEAN_JSON_RE.search(body):
        return body
    try:
        document = json.loads(body)
    except ValueError:
        return body  # the framework answers a malformed body
    return json.dumps(_clean(document), ensure_ascii=False).encode()


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value) if needs_cleaning(value) else value
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    return value


def json_depth(body: bytes) -> int:
    """How deep arrays and objects nest in a JSON text (brackets inside strings not counted)."""
    depth = deepest = 0
    for match in _JSON_BRACKETS_RE.finditer(_JSON_STRING_RE.sub(b'""', body)):
        if match.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _content_type(scope: Scope) -> bytes:
    for key, value in scope.get("headers", ()):
        if key == b"content-type":
            return bytes(value).lower()
    return b""


async def screened_receive(scope: Scope, receive: Receive, limit: int) -> Receive:
    """``receive`` itself, or (for a form or JSON body) one that replays the body after
    :func:`check_body` passed it. A body over ``limit`` is left to the framework's own limit."""
    if scope.get("method") in {"GET", "HEAD", "OPTIONS"}:
        return receive
    content_type = _content_type(scope)
    if not content_type.startswith(_SCREENED):
        return receive
    chunks: list[bytes] = []
    size = 0
    pending: list[ReceiveMessage] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            pending.append(message)  # the client went away mid-body: the framework hears it next
            break
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            break
        if size > limit:
            return _replay([{"type": "http.request", "body": b"".join(chunks), "more_body": True}], receive)
    body = b"".join(chunks)
    check_body(content_type, body)
    body = cleaned_body(content_type, body)
    return _replay([{"type": "http.request", "body": body, "more_body": False}, *pending], receive)


def _replay(messages: list[ReceiveMessage], receive: Receive) -> Receive:
    """A ``receive`` that hands out ``messages`` first, then asks the server."""
    queue = list(reversed(messages))

    async def replay() -> ReceiveMessage:
        if queue:
            return queue.pop()
        return await receive()

    return replay
