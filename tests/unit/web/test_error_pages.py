"""A 5xx raised as an HTTP exception is logged like any unexpected error; a browser that went
away mid-request is not an error of ours."""

from __future__ import annotations

import logging
from typing import Any

import structlog
from litestar import Litestar, get
from litestar.exceptions import InternalServerException
from litestar.testing import TestClient
from structlog.testing import capture_logs

from ordena.web.errors import http_error


@get("/boom")
async def boom() -> None:
    raise InternalServerException("the mail relay refused us")


@get("/gone")
async def gone() -> None:
    raise InternalServerException("client disconnected prematurely")


def _app() -> Litestar:
    return Litestar(route_handlers=[boom, gone], exception_handlers={InternalServerException: http_error})


def _events(path: str) -> tuple[int, list[dict[str, Any]]]:
    saved = structlog.get_config()
    # Every level reaches the capture, whatever level an earlier test configured.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG))
    try:
        with TestClient(app=_app()) as client, capture_logs() as logs:
            status = client.get(path, headers={"accept": "application/json"}).status_code
    finally:
        structlog.configure(**saved)
    return status, logs


def test_a_server_error_raised_as_an_http_exception_is_logged() -> None:
    status, logs = _events("/boom")
    assert status == 500
    assert [(e["event"], e["log_level"], e["detail"]) for e in logs] == [
        ("server error", "error", "the mail relay refused us")
    ]


def test_a_client_that_went_away_is_noted_not_reported_as_an_error() -> None:
    status, logs = _events("/gone")
    assert status == 500
    assert [(e["event"], e["log_level"]) for e in logs] == [("client disconnected", "info")]
