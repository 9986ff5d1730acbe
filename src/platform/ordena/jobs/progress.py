"""Progress of long jobs, shown by a fragment that polls itself (GET /w/{slug}/jobs/{id}).

A job's row is tenant-owned (:class:`~ordena.jobs.models.JobProgress`): every helper takes the
firm. ``result`` is the job's report; by convention its ``"_input"`` key holds what the job
needs to run (e.g. an uploaded file) and is never sent back to pages (``read`` leaves it in the
database). Reports that the generic fragment understands:
``{"imported": int, "errors": [{"line": int, "message": str}], "message": str}``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.jobs.models import JobProgress
from ordena.lib.clock import now
from ordena.lib.errors import NotFound
from ordena.lib.i18n import LazyString

INPUT_KEY = "_input"
PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
FINISHED = {DONE, FAILED}


@dataclass(frozen=True)
class JobKind:
    """How a kind of job presents itself: a title and where to go once it is done."""

    title: LazyString
    back_path: str = ""  # appended to /w/{slug}
    back_label: LazyString | None = None


KINDS: dict[str, JobKind] = {}


def register_kind(kind: str, title: LazyString, back_path: str = "", back_label: LazyString | None = None) -> None:
    KINDS[kind] = JobKind(title, back_path, back_label)


@dataclass
class JobView:
    id: UUID
    kind: str
    total: int
    done: int
    status: str
    result: dict[str, Any] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent(self) -> int:
        if self.status == DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def info(self) -> JobKind | None:
        return KINDS.get(self.kind)


async def start(
    db: AsyncSession,
    tenant_id: UUID,
    *,
    kind: str,
    owner_key: str,
    total: int = 0,
    job_input: dict[str, Any] | None = None,
) -> JobProgress:
    """A new pending job row, in the caller's transaction (enqueue the job in the same one)."""
    row = JobProgress(
        tenant_id=tenant_id,
        kind=kind,
        owner_key=owner_key[:120],
        total=total,
        done=0,
        status=PENDING,
        result={INPUT_KEY: job_input or {}},
    )
    db.add(row)
    await db.flush()
    return row


async def read(db: AsyncSession, tenant_id: UUID, job_id: UUID) -> JobView:
    """What the page shows; 404 for a missing job or another firm's (the input stays unread)."""
    stmt = select(
        JobProgress.id,
        JobProgress.kind,
        JobProgress.total,
        JobProgress.done,
        JobProgress.status,
        JobProgress.result.op("-")(INPUT_KEY),
    ).where(JobProgress.tenant_id == tenant_id, JobProgress.id == job_id)
    row = (await db.execute(stmt)).first()
    if row is None:
        raise NotFound()
    return JobView(row[0], row[1], row[2], row[3], row[4], dict(row[5] or {}))


async def lock(db: AsyncSession, tenant_id: UUID, job_id: UUID) -> JobProgress | None:
    """The row, locked until the caller's transaction ends (one worker at a time per job)."""
    row: JobProgress | None = await db.scalar(
        select(JobProgress).where(JobProgress.tenant_id == tenant_id, JobProgress.id == job_id).with_for_update()
    )
    return row


async def repeated_submission(
    db: AsyncSession, tenant_id: UUID, *, kind: str, form_token: str, sha256: str, within: dt.timedelta
) -> UUID | None:
    """The newest job of ``kind`` that the same submission started: the same ``form_token``
    (whatever that job's state), or the same file (``sha256``) still pending or running and started
    less than ``within`` ago. Jobs keep both under the ``submission`` key of their report."""
    submission = JobProgress.result["submission"]
    same_file = (
        (submission["sha256"].as_string() == sha256)
        & JobProgress.status.in_((PENDING, RUNNING))
        & (JobProgress.created_at > now() - within)
    )
    match = submission["form_token"].as_string() == form_token if form_token else None
    condition = or_(match, same_file) if match is not None else same_file
    stmt = (
        select(JobProgress.id)
        .where(JobProgress.tenant_id == tenant_id, JobProgress.kind == kind, condition)
        .order_by(JobProgress.created_at.desc())
        .limit(1)
    )
    job_id: UUID | None = await db.scalar(stmt)
    return job_id


def update(
    row: JobProgress, *, total: int | None = None, done: int | None = None, status: str | None = None, **report: Any
) -> None:
    """Change counters and merge ``report`` keys into the result (a new dict, so that the
    JSON column is written)."""
    if total is not None:
        row.total = total
    if done is not None:
        row.done = done
    if status is not None:
        row.status = status
    if report:
        row.result = {**(row.result or {}), **report}


def drop_input(row: JobProgress) -> None:
    """Forget the job's input once it is no longer needed (e.g. the uploaded file)."""
    row.result = {k: v for k, v in (row.result or {}).items() if k != INPUT_KEY}


def job_input(row: JobProgress) -> dict[str, Any]:
    value = (row.result or {}).get(INPUT_KEY)
    return value if isinstance(value, dict) else {}
