"""``create_app(settings)``: the Litestar application, wired by :class:`OrdenaPlugin`."""

from __future__ import annotations

from litestar import Litestar

from ordena.server.plugin import OrdenaPlugin
from ordena.settings import Settings


def create_app(settings: Settings | None = None, **overrides: object) -> Litestar:
    settings = settings or Settings.from_env()
    return Litestar(plugins=[OrdenaPlugin(settings, **overrides)])
