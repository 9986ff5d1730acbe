"""``create_app(settings)``: the Litestar application, wired by :class:`OrdenaPlugin`."""

from __future__ import annotations

from litestar import Litestar

from ordena.db.engine import Database
from ordena.server.plugin import OrdenaPlugin
from ordena.settings import Settings


def create_app(
    settings: Settings | None = None, *, database: Database | None = None, start_jobs: bool | None = None
) -> Litestar:
    """The app; ``database`` lets a tool share an engine, ``start_jobs`` overrides the worker choice."""
    settings = settings or Settings.from_env()
    return Litestar(plugins=[OrdenaPlugin(settings, database=database, start_jobs=start_jobs)])
