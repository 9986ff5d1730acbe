"""The progress of a firm's long job: a page, or (for htmx) a fragment that polls itself."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Template

from ordena.jobs import progress
from ordena.web.deps import DB, Firm
from ordena.web.pages import page


@get("/w/{slug:str}/jobs/{job_id:uuid}", opt={"access": "viewer"}, name="job_progress", include_in_schema=False)
async def job_progress(request: Request[Any, Any, Any], db: DB, firm: Firm, job_id: FromPath[UUID]) -> Template:
    view = await progress.read(db, firm.tenant_id, job_id)
    # Polls must never be cached: each one reads the current counters.
    response = page(request, "jobs/progress.html", block="progress", job=view)
    response.headers["Cache-Control"] = "no-store"
    return response


ROUTES = [job_progress]
