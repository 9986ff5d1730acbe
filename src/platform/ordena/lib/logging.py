"""Structured logs: JSON lines in production, readable lines in a terminal.

structlog loggers (``structlog.get_logger``) and the standard library's (dramatiq, uvicorn,
``logging.getLogger``) go through the same processors, so every line of a process is one JSON
object carrying the request id bound for the current request (``ordena.web.security``).
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

import structlog

from ordena.settings import Settings

_HANDLER_NAME = "ordena"


def configure_logging(settings: Settings, *, stream: TextIO | None = None) -> None:
    stream = stream or sys.stderr
    level = logging.getLevelName(settings.log_level.upper())
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if settings.log_json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(stream),
        cache_logger_on_first_use=False,
    )
    # Standard-library records: same processors, same renderer, same stream.
    handler = logging.StreamHandler(stream)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # pika narrates every connection attempt at INFO; keep its warnings only.
    logging.getLogger("pika").setLevel(max(level, logging.WARNING))
