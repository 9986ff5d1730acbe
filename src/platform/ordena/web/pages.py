"""Small helpers for handlers that render pages and htmx fragments."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar import Request
from litestar.enums import MediaType
from litestar.response import Redirect, Template

from ordena.web import flash as flash_cookie

# What Litestar guesses for a ``.html`` template when a response names no media type.
HTML = MediaType.HTML


def page(
    request: Request[Any, Any, Any], template: str, *, block: str | None = None, status_code: int = 200, **context: Any
) -> Template:
    """The whole page, or only ``block`` when htmx asks for a fragment. The media type is the one
    Litestar would guess from the ``.html`` name, given (the guess ran on every response;
    profiled)."""
    if block and request.headers.get("hx-request") and not request.headers.get("hx-boosted"):
        return HTMXBlockTemplate(
            template_name=template, block_name=block, context=context, status_code=status_code, media_type=HTML
        )
    return Template(template, context=context, status_code=status_code, media_type=HTML)


def redirect(path: str, *, flash: str | None = None, kind: str = "success") -> Redirect:
    """303 See Other after a successful post, with an optional one-time message."""
    response = Redirect(path=path, status_code=303)
    if flash:
        set_flash(response, flash, kind=kind)
    return response


def set_flash(response: Redirect, message: str, *, kind: str = "success") -> None:
    """A one-time message on a redirect made elsewhere (cookie-borne: survives the redirect
    without touching the session table)."""
    response.set_cookie(
        flash_cookie.COOKIE, quote(f"{kind}|{message}"), max_age=60, httponly=True, samesite="lax", path="/"
    )
