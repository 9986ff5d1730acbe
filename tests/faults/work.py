"""The work the fault cases put under load, and how they check it afterwards: autosaves (each
with a unique comment, so the audit trail tells which ones committed), a CSV import of client
companies, member invitations (one email each)."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx

from ordena.tenancy.models import Role
from tests.factories import PASSWORD, FirmFixture
from tests.faults.client import WebClient, poll
from tests.integration.assessments.helpers import World, make_world, new_assessment, tree_of

TRACE_MARKERS = ("Traceback", 'File "', "asyncpg.", "sqlalchemy.")


def assert_clean_failure(response: httpx.Response) -> None:
    """A failure the user can act on: 503 with a retry hint, no trace in the page."""
    assert response.status_code == 503, (response.status_code, response.text[:300])
    assert response.headers.get("retry-after", "").isdigit(), dict(response.headers)
    assert not any(marker in response.text for marker in TRACE_MARKERS), response.text[:500]


@dataclass
class Tally:
    """What a load generator saw."""

    sent: int = 0
    succeeded: int = 0
    retried: int = 0
    failures: Counter[int] = field(default_factory=Counter)  # status → count (each one retried)
    acked: list[str] = field(default_factory=list)
    started: set[str] = field(default_factory=set)  # sent, not yet answered

    def in_flight(self) -> int:
        return len(self.started)


@dataclass
class Questionnaire:
    world: World
    assessment_id: uuid.UUID
    question_ids: list[uuid.UUID]

    @property
    def answers_path(self) -> str:
        return f"/w/{self.world.slug}/assessments/{self.assessment_id}/answers"


async def questionnaire(database: Any, *, questions: int = 4) -> Questionnaire:
    world = await make_world(database, contacts=0)
    assessment = await new_assessment(database, world)
    tree = await tree_of(database, world)
    return Questionnaire(world, assessment.id, [q.id for q in tree.questions[:questions]])


async def signed_in(base_url: str, world: World, role: Role = Role.CONSULTANT) -> WebClient:
    client = WebClient(base_url)
    await client.login(world.firm.email(role), PASSWORD)
    return client


async def signed_in_firm(base_url: str, firm: FirmFixture, role: Role) -> WebClient:
    client = WebClient(base_url)
    await client.login(firm.email(role), PASSWORD)
    return client


async def send_until_acked(client: WebClient, tally: Tally, op: str, send: Any, *, give_up: float = 60) -> None:
    """Send one operation until the server accepts it; every 503 must be a clean one."""
    tally.sent += 1
    tally.started.add(op)
    deadline = time.monotonic() + give_up
    first = True
    try:
        while True:
            if not first:
                tally.retried += 1
            first = False
            try:
                response = await send()
            except httpx.TransportError:  # the web process itself is away (restarting)
                tally.failures[0] += 1
            else:
                if response.status_code < 400:
                    tally.succeeded += 1
                    tally.acked.append(op)
                    return
                tally.failures[response.status_code] += 1
                assert_clean_failure(response)
                await asyncio.sleep(min(float(response.headers["retry-after"]), 0.5))
                continue
            assert time.monotonic() < deadline, f"{op} was never accepted"
            await asyncio.sleep(0.3)
    finally:
        tally.started.discard(op)


async def autosave_loop(client: WebClient, q: Questionnaire, index: int, tally: Tally, stop: asyncio.Event) -> None:
    """One question's autosaves, one after another (as one person typing), until ``stop``."""
    question = str(q.question_ids[index])
    n = 0
    while not stop.is_set():
        n += 1
        op = f"q{index}-op{n}"
        level = str(1 + n % 5)

        async def send(op: str = op, level: str = level) -> httpx.Response:
            return await client.post(q.answers_path, {"question_id": question, "level": level, "comment": op})

        await send_until_acked(client, tally, op, send)
        await asyncio.sleep(0.05)


async def committed_answer_ops(owner: asyncpg.Pool, q: Questionnaire) -> list[str]:
    """The comment of every committed autosave (its audit row, written in the same statement)."""
    rows = await owner.fetch(
        "SELECT after->>'comment' AS op FROM audit_event WHERE tenant_id = $1 AND entity_type = 'assessment'"
        " AND entity_id = $2 AND action = 'answer'",
        q.world.tenant_id,
        str(q.assessment_id),
    )
    return [r["op"] for r in rows if r["op"]]


async def half_saved_answers(owner: asyncpg.Pool, q: Questionnaire) -> list[str]:
    """Answers whose value has no audit row saying it was saved (a half-saved write)."""
    rows = await owner.fetch(
        "SELECT a.comment FROM answer a WHERE a.tenant_id = $1 AND a.assessment_id = $2 AND a.comment <> ''"
        " AND NOT EXISTS (SELECT 1 FROM audit_event e WHERE e.tenant_id = a.tenant_id"
        " AND e.entity_id = a.assessment_id::text AND e.action = 'answer' AND e.after->>'comment' = a.comment)",
        q.world.tenant_id,
        q.assessment_id,
    )
    return [r["comment"] for r in rows]


def lost_and_doubled(acked: list[str], committed: list[str]) -> tuple[list[str], list[str]]:
    counts = Counter(committed)
    lost = [op for op in acked if counts[op] == 0]
    doubled = [op for op, n in counts.items() if n > 1]
    return lost, doubled


# --- the CSV import ---------------------------------------------------------------------------

FORM_TOKEN_RE = re.compile(r'name="form_token" value="([^"]+)"')


def companies_csv(prefix: str, rows: int) -> bytes:
    lines = ["name,country,industry_section,size_band"]
    lines += [f"{prefix} {i:05d} SAC,PE,G,micro" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


async def upload_import(client: WebClient, world: World, body: bytes) -> uuid.UUID:
    page = await client.get(f"/w/{world.slug}/companies/import")
    match = FORM_TOKEN_RE.search(page.text)
    assert match, page.text[:300]
    response = await client.http.post(
        f"/w/{world.slug}/companies/import",
        data={"_csrf": client.csrf or "", "form_token": match.group(1)},
        files={"file": ("empresas.csv", body, "text/csv")},
        headers={"sec-fetch-site": "same-origin", "origin": client.base_url},
    )
    assert response.status_code in (302, 303), (response.status_code, response.text[:300])
    return uuid.UUID(response.headers["location"].rstrip("/").rsplit("/", 1)[-1])


async def import_state(owner: asyncpg.Pool, world: World, job_id: uuid.UUID) -> asyncpg.Record:
    row = await owner.fetchrow(
        "SELECT status, done, total, result FROM job_progress WHERE tenant_id = $1 AND id = $2", world.tenant_id, job_id
    )
    assert row is not None
    return row


async def wait_import(owner: asyncpg.Pool, world: World, job_id: uuid.UUID, *, within: float) -> asyncpg.Record:
    async def finished() -> bool:
        return (await import_state(owner, world, job_id))["status"] in ("done", "failed")

    await poll(finished, within=within, what="the CSV import to finish")
    return await import_state(owner, world, job_id)


async def imported_names(owner: asyncpg.Pool, world: World, prefix: str) -> Counter[str]:
    rows = await owner.fetch(
        "SELECT name FROM company WHERE tenant_id = $1 AND name LIKE $2", world.tenant_id, prefix + " %"
    )
    return Counter(r["name"] for r in rows)
