"""All app wiring in one place: routes, dependencies, middleware, templates, errors, lifecycle."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, Request
from litestar.config.app import AppConfig
from litestar.di import Provide
from litestar.plugins import InitPluginProtocol
from litestar.static_files import create_static_files_router

from ordena.db.engine import Database
from ordena.domains import load_jobs, route_handlers
from ordena.jobs.runtime import JobRuntime
from ordena.lib.logging import configure_logging
from ordena.settings import Settings
from ordena.web.access import access_guard, provide_auth, provide_firm
from ordena.web.csrf import csrf_check
from ordena.web.db import provide_db
from ordena.web.errors import EXCEPTION_HANDLERS
from ordena.web.openapi import document_api, openapi_config
from ordena.web.plumbing import request_middleware, response_start
from ordena.web.templating import template_config


async def _check_request(request: Request[Any, Any, Any]) -> None:
    """Every route's access rule (``ordena.web.access``), then CSRF, before its dependencies and
    body are read. A before-request hook rather than an app guard: Litestar hands each guard a
    copy of the route handler, made anew on every request (profiled: a twentieth of the login
    page). No route is cached, so the hook runs wherever a guard would (static files are public)."""
    await access_guard(request, request.route_handler)
    await csrf_check(request)


class OrdenaPlugin(InitPluginProtocol):
    def __init__(self, settings: Settings, *, database: Database | None = None, start_jobs: bool | None = None) -> None:
        self.settings = settings
        self.database = database
        self.start_jobs = start_jobs

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        settings = self.settings
        configure_logging(settings)
        app_config.debug = False
        app_config.state.update({"settings": settings})
        app_config.route_handlers.extend(route_handlers())
        app_config.route_handlers.append(
            create_static_files_router(
                path="/static", directories=[settings.static_dir], opt={"access": "public"}, include_in_schema=False
            )
        )
        app_config.dependencies.update(
            {
                "db": Provide(provide_db),
                "firm": Provide(provide_firm, sync_to_thread=False),
                "auth": Provide(provide_auth, sync_to_thread=False),
            }
        )
        app_config.middleware[:0] = [request_middleware]
        app_config.before_request = _check_request
        app_config.before_send.append(response_start)
        app_config.exception_handlers.update(EXCEPTION_HANDLERS)
        app_config.template_config = template_config(
            settings.templates_dir, auto_reload=settings.environment == "development"
        )
        app_config.request_max_body_size = settings.max_body_bytes
        app_config.openapi_config = openapi_config()
        # Only the JSON API is in the schema, with bearer tokens and its error bodies.
        document_api(app_config.route_handlers)
        app_config.on_startup.append(self._startup)
        app_config.on_shutdown.append(self._shutdown)
        return app_config

    async def _startup(self, app: Litestar) -> None:
        # A database handed in (benchmarks, tools) is used as is; otherwise each start-up opens
        # its own engine, bound to the event loop that serves the app.
        database = self.database or Database.connect(self.settings)
        app.state.database = database
        app.state.owns_database = self.database is None
        start = self.start_jobs if self.start_jobs is not None else self.settings.run_worker_in_process
        load_jobs()
        runtime = JobRuntime(self.settings, database)
        app.state.jobs = runtime
        await runtime.start(in_process_worker=start)

    async def _shutdown(self, app: Litestar) -> None:
        runtime: Any = app.state.get("jobs")
        if runtime is not None:
            await runtime.stop()
        if app.state.get("owns_database"):
            await app.state.database.dispose()
