"""Background jobs are declared with ``@job`` in their domain and bound to the broker at start.

The domains' job modules are imported by whoever starts a process that runs or enqueues jobs
(``ordena.domains.load_jobs``: the web plugin, the worker command, the tests); ``jobs/`` itself
knows no domain.

Declaring actors lazily keeps the broker out of import time: settings decide at start-up whether
jobs go to RabbitMQ, Redis or the in-process stub broker.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

JobFn = Callable[..., Awaitable[None]]


@dataclass(frozen=True)
class JobSpec:
    name: str
    fn: JobFn
    queue_name: str = "default"
    options: dict[str, Any] = field(default_factory=dict)


JOBS: dict[str, JobSpec] = {}


def job(name: str | None = None, *, queue_name: str = "default", **options: Any) -> Callable[[JobFn], JobFn]:
    """Register an async job. It must take ids (tenant_id, entity id), never ORM objects, and be
    idempotent: delivery is at least once."""

    def decorate(fn: JobFn) -> JobFn:
        spec = JobSpec(name or fn.__name__, fn, queue_name, {"max_retries": 5, **options})
        JOBS[spec.name] = spec
        return fn

    return decorate
