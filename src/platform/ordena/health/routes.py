"""Liveness and readiness probes."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Request, Response, get
from sqlalchemy import text


@get("/health/live", opt={"access": "public"}, include_in_schema=False)
async def live() -> dict[str, str]:
    return {"status": "ok"}


@get("/health/ready", opt={"access": "public"}, include_in_schema=False)
async def ready(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    checks: dict[str, str] = {}
    try:
        async with request.app.state.database.engine.connect() as conn:
            await asyncio.wait_for(conn.execute(text("SELECT 1")), timeout=2)
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {type(exc).__name__}"
    jobs = request.app.state.get("jobs")
    if jobs is not None:
        try:
            await asyncio.wait_for(asyncio.to_thread(jobs.check_broker), timeout=3)
            checks["broker"] = "ok"
        except Exception as exc:
            checks["broker"] = f"error: {type(exc).__name__}"
    ok = all(v == "ok" for v in checks.values())
    return Response({"status": "ok" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503)


ROUTES = [live, ready]
