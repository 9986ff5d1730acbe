"""Friendly error pages for browsers, problem JSON for the API. Never a stack trace."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import asyncpg
import structlog
from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR, HTTP_503_SERVICE_UNAVAILABLE
from sqlalchemy.exc import DBAPIError

from ordena.db.outage import RETRY_AFTER_SECONDS, database_unavailable
from ordena.lib import i18n
from ordena.lib.errors import NotFound, ServiceError
from ordena.lib.i18n import _
from ordena.web.access import ContactLinkRequired, LoginRequired
from ordena.web.forms import FormError
from ordena.web.locale import LANG_COOKIE

log = structlog.get_logger("ordena.errors")


def _wants_json(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith("/api/") or (
        "application/json" in request.headers.get("accept", "") and "text/html" not in request.headers.get("accept", "")
    )


def _ensure_locale(request: Request[Any, Any, Any]) -> None:
    """Unknown URLs are answered before the middleware runs: choose the language here."""
    if "locale" in request.scope.get("state", {}):
        return
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen not in i18n.LOCALES:
        chosen = i18n.negotiate(request.headers.get("accept-language")) or request.app.state.settings.default_locale
    i18n.set_locale(chosen)


def _page(
    request: Request[Any, Any, Any], status: int, title: str, message: str, headers: dict[str, str] | None = None
) -> Response[Any]:
    if _wants_json(request):
        return Response(
            {"status": status, "detail": message}, status_code=status, media_type=MediaType.JSON, headers=headers
        )
    return Template(
        "errors/error.html",
        context={"status": status, "title": title, "message": message},
        status_code=status,
        headers=headers,
    )


def not_found(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    _ensure_locale(request)
    return _page(
        request, 404, _("Página no encontrada"), _("La página que buscas no existe o no tienes acceso a ella.")
    )


def forbidden(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    detail = getattr(exc, "detail", "") or ""
    if "CSRF" in detail or "cross-" in detail:
        message = _("Tu sesión del formulario expiró. Vuelve a la página anterior, recárgala e inténtalo de nuevo.")
    else:
        message = _("Tu rol en esta firma no permite esta acción.")
    return _page(request, 403, _("Acceso denegado"), message)


def _bearer_challenge(request: Request[Any, Any, Any]) -> dict[str, str]:
    """RFC 6750: the API asks for a bearer token; a token that was sent but refused is named
    invalid (no other details: expired, revoked and unknown look the same)."""
    if not request.url.path.startswith("/api/"):
        return {}
    sent = request.headers.get("authorization", "").lower().startswith("bearer ")
    return {"WWW-Authenticate": 'Bearer realm="Ordena API"' + (', error="invalid_token"' if sent else "")}


def login_required(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if _wants_json(request):
        return Response(
            {"status": 401, "detail": "authentication required"}, status_code=401, headers=_bearer_challenge(request)
        )
    nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.headers.get("hx-request"):
        return Response("", status_code=401, headers={"HX-Redirect": "/login?next=" + quote(nxt)})
    return Redirect(path="/login?next=" + quote(nxt), status_code=303)


def contact_link_required(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if request.headers.get("hx-request"):
        return Response("", status_code=401, headers={"HX-Redirect": "/c/link"})
    return Redirect(path="/c/link", status_code=303)


def form_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    assert isinstance(exc, FormError)
    context = {**exc.context, "errors": exc.errors}
    if _wants_json(request):
        return Response({"status": exc.status_code, "errors": exc.errors.fields}, status_code=exc.status_code)
    if exc.block and request.headers.get("hx-request"):
        return HTMXBlockTemplate(
            template_name=exc.template, block_name=exc.block, context=context, status_code=exc.status_code
        )
    return Template(exc.template, context=context, status_code=exc.status_code)


def service_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    assert isinstance(exc, ServiceError)
    return _page(request, exc.status_code, _("No se pudo completar"), exc.message)


def validation_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    assert isinstance(exc, ValidationException)
    if _wants_json(request):
        return Response({"status": 400, "detail": exc.detail, "extra": exc.extra}, status_code=400)
    return _page(request, 400, _("Solicitud no válida"), _("Algunos datos enviados no son válidos."))


def http_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    if status >= 500:
        if exc.detail == "client disconnected prematurely":
            # Litestar's 500 for a browser that went away mid-request (a closed tab, a load
            # generator stopping): nobody reads the answer, and it is not our error.
            log.info("client disconnected", status=status)
        else:
            log.error("server error", status=status, detail=str(exc.detail), exc_info=exc)
    if status == 413:
        return _page(
            request, 413, _("Archivo o formulario demasiado grande"), _("Lo que enviaste supera el tamaño permitido.")
        )
    if status == 429:
        return _page(request, 429, _("Demasiados intentos"), _("Espera unos minutos antes de volver a intentarlo."))
    if status == 405:
        return _page(request, 405, _("Método no permitido"), _("Esta dirección no acepta esa acción."))
    return _page(
        request,
        status,
        _("Algo no salió bien"),
        str(exc.detail) if status < 500 else _("Inténtalo de nuevo en unos minutos."),
    )


def _is_data_error(exc: BaseException) -> bool:
    """PostgreSQL's class 22 (data exception: a NUL in text, a number out of range, a string
    too long): the input was wrong, not the server."""
    if isinstance(exc, asyncpg.exceptions.DataError):
        return True
    if isinstance(exc, DBAPIError):
        code = str(getattr(exc.orig, "pgcode", None) or getattr(exc.orig, "sqlstate", None) or "")
        return code.startswith("22") or isinstance(getattr(exc.orig, "__cause__", None), asyncpg.exceptions.DataError)
    return False


def server_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if database_unavailable(exc):
        # A restart or failover of PostgreSQL, not a bug: the request did nothing (its
        # transaction never committed) and the same request will work again in a few seconds.
        log.warning("database unavailable", error=f"{type(exc).__name__}: {exc}")
        _ensure_locale(request)
        return _page(
            request,
            HTTP_503_SERVICE_UNAVAILABLE,
            _("Servicio no disponible por un momento"),
            _("No se guardó nada. Vuelve a intentarlo en unos segundos."),
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    if _is_data_error(exc):
        # Input the edge guard does not screen (an upload form's text fields).
        log.info("data refused by the database", error=type(exc).__name__)
        return _page(request, 400, _("Solicitud no válida"), _("Algunos datos enviados no son válidos."))
    log.exception("unhandled error", exc_info=exc)
    return _page(
        request,
        HTTP_500_INTERNAL_SERVER_ERROR,
        _("Error inesperado"),
        _("Registramos el problema. Inténtalo de nuevo en unos minutos."),
    )


EXCEPTION_HANDLERS: dict[Any, Any] = {
    NotFoundException: not_found,
    NotFound: not_found,
    PermissionDeniedException: forbidden,
    LoginRequired: login_required,
    ContactLinkRequired: contact_link_required,
    FormError: form_error,
    ServiceError: service_error,
    ValidationException: validation_error,
    HTTPException: http_error,
    Exception: server_error,
}
