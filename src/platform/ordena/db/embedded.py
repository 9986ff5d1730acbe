"""Embedded PostgreSQL (pgserver) for development and tests when no URL is configured."""

from __future__ import annotations

import fcntl
import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
_servers: dict[Path, Any] = {}


def embedded_database_url(data_dir: Path, *, database: str = "postgres") -> str:
    """Start (or reuse) the embedded server in ``data_dir/pgdata`` and return an asyncpg URL."""
    import pgserver  # imported lazily: production never needs it

    pgdata = (data_dir / "pgdata").resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = _servers.get(pgdata)
    if server is None:
        log.info("starting embedded PostgreSQL in %s", pgdata)
        # Several processes may start it at once (pytest -n 2 on a fresh checkout): pgserver's
        # first start creates the folder and fails in the process that comes second, so one
        # process at a time; the next one finds the server running and shares it.
        with (pgdata.parent / "start.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            server = pgserver.get_server(pgdata, cleanup_mode="stop")  # type: ignore[attr-defined]
        _servers[pgdata] = server
    uri: str = server.get_uri(database)
    return uri.replace("postgresql://", "postgresql+asyncpg://", 1)
