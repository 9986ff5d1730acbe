"""The web process killed with SIGKILL mid-request: every action is one transaction, so a
request cut off leaves all of its rows or none (PostgreSQL rolls back the dead connection's
transaction), and every request that was answered is there exactly once."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import asyncpg
import httpx

from ordena.db.engine import Database
from ordena.tenancy.models import Role
from tests.factories import make_firm
from tests.faults.client import WebClient, poll
from tests.faults.figures import Case, Figures
from tests.faults.stack import Ordena
from tests.faults.work import signed_in_firm

CLIENTS = 6


@dataclass
class Outcome:
    acked: list[str] = field(default_factory=list)
    in_doubt: list[str] = field(default_factory=list)  # sent, and the process died before answering
    sent: int = 0


async def create_loop(client: WebClient, slug: str, tag: str, outcome: Outcome, stop: asyncio.Event) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        name = f"{tag} {n:04d} SAC"
        outcome.sent += 1
        try:
            response = await client.post(
                f"/w/{slug}/companies", {"name": name, "country": "PE", "industry_section": "G", "size_band": "micro"}
            )
        except httpx.TransportError:
            # A browser shows "connection lost"; whether to send again is the person's call. The
            # test does not resend, so each name tells what happened to that one request.
            outcome.in_doubt.append(name)
            return
        assert response.status_code == 303, (response.status_code, response.text[:300])
        outcome.acked.append(name)


async def test_a_web_process_killed_mid_request_leaves_whole_actions_or_nothing(
    ordena: Ordena, database: Database, owner: asyncpg.Pool, figures: Figures
) -> None:
    ordena.start_web()
    firm = await make_firm(database, roles=(Role.OWNER, Role.CONSULTANT))
    clients = [await signed_in_firm(ordena.base_url, firm, Role.CONSULTANT) for _ in range(CLIENTS)]
    outcome, stop = Outcome(), asyncio.Event()
    tag = f"Corte {firm.slug[-6:]}"
    loops = [
        asyncio.create_task(create_loop(c, firm.slug, f"{tag} c{i}", outcome, stop)) for i, c in enumerate(clients)
    ]
    await poll(lambda: _at_least(outcome, 12), within=60, what="companies being created")
    assert ordena.web is not None
    ordena.web.kill()
    await asyncio.gather(*loops)
    ordena.start_web()  # the same address: the clients' next requests reach the new process
    for client in clients:
        client.http.cookies.clear()
    again = await signed_in_firm(ordena.base_url, firm, Role.CONSULTANT)
    response = await again.post(
        f"/w/{firm.slug}/companies",
        {"name": f"{tag} after SAC", "country": "PE", "industry_section": "G", "size_band": "micro"},
    )
    assert response.status_code == 303
    for client in [*clients, again]:
        await client.close()

    rows = await owner.fetch(
        "SELECT c.name, (SELECT count(*) FROM audit_event e WHERE e.tenant_id = c.tenant_id AND e.entity_type = 'company'"
        " AND e.action = 'create' AND e.entity_id = c.id::text) AS audits FROM company c WHERE c.tenant_id = $1",
        firm.id,
    )
    companies = {r["name"]: r["audits"] for r in rows}
    orphan_audits = await owner.fetchval(
        "SELECT count(*) FROM audit_event e WHERE e.tenant_id = $1 AND e.entity_type = 'company' AND e.action = 'create'"
        " AND NOT EXISTS (SELECT 1 FROM company c WHERE c.tenant_id = e.tenant_id AND c.id::text = e.entity_id)",
        firm.id,
    )
    names = [r["name"] for r in rows]
    lost = [n for n in outcome.acked if n not in companies]
    doubled = len(names) - len(set(names))
    half_written = [n for n, audits in companies.items() if audits != 1]
    assert lost == [] and doubled == 0
    assert half_written == [] and orphan_audits == 0
    assert len(outcome.in_doubt) == CLIENTS
    committed_in_doubt = sum(1 for n in outcome.in_doubt if n in companies)
    figures.add(
        Case(
            "web process killed",
            f"SIGKILL to `ordena serve` under {CLIENTS} clients creating companies (company + audit row per action)",
            operations=outcome.sent + 1,
            in_flight=len(outcome.in_doubt),
            succeeded=len(outcome.acked) + 1,
            retried=0,
            lost=len(lost),
            doubled=doubled,
            notes=[
                f"of the {len(outcome.in_doubt)} requests cut off, {committed_in_doubt} had committed (whole) and "
                f"{len(outcome.in_doubt) - committed_in_doubt} left nothing; 0 half-written"
            ],
        )
    )


async def _at_least(outcome: Outcome, n: int) -> bool:
    return len(outcome.acked) >= n
