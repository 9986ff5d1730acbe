"""A worker killed with SIGKILL mid-job: RabbitMQ hands the unacknowledged message to the next
worker, and the job's effect happens exactly once (the CSV import resumes after its last
committed batch; an email cut off inside its SMTP conversation is sent once, not twice; a PDF
report cut off while printing is printed again by the next worker: one file, one finished row; a
network benchmark refresh cut off mid-statistics leaves nothing and the next worker publishes one
release)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import asyncpg

from ordena.db.engine import Database
from ordena.demo.network_scale import generate_network
from ordena.networks.models import Network
from ordena.networks.schedule import request_refresh
from ordena.settings import Settings
from ordena.tenancy.models import Role
from tests.factories import make_firm
from tests.faults.client import poll
from tests.faults.conftest import Inbox
from tests.faults.figures import Case, Figures
from tests.faults.stack import Ordena, PrivateRabbit
from tests.faults.work import (
    companies_csv,
    import_state,
    imported_names,
    questionnaire,
    signed_in,
    signed_in_firm,
    upload_import,
    wait_import,
)
from tests.integration.reports.helpers import report_world

IMPORT_ROWS = 400
MAILS = 6


async def test_an_import_whose_worker_is_killed_resumes_and_imports_every_row_once(
    ordena: Ordena, rabbit: PrivateRabbit, database: Database, owner: asyncpg.Pool, figures: Figures
) -> None:
    ordena.env["ORDENA_BROKER_URL"] = rabbit.url
    ordena.start_web()
    first = ordena.start_worker(threads=1, name="worker-1")
    q = await questionnaire(database, questions=1)
    client = await signed_in(ordena.base_url, q.world)
    prefix = f"Muerte {q.world.slug[-6:]}"
    job_id = await upload_import(client, q.world, companies_csv(prefix, IMPORT_ROWS))
    await client.close()

    async def mid_job() -> bool:
        return 0 < int((await import_state(owner, q.world, job_id))["done"]) < IMPORT_ROWS // 2

    await poll(mid_job, within=60, what="the import to be under way", every=0.05)
    first.kill()
    at_kill = int((await import_state(owner, q.world, job_id))["done"])
    ordena.start_worker(threads=1, name="worker-2")
    state = await wait_import(owner, q.world, job_id, within=120)
    names = await imported_names(owner, q.world, prefix)

    assert state["status"] == "done" and json.loads(state["result"])["imported"] == IMPORT_ROWS, state
    assert 0 < at_kill < IMPORT_ROWS
    assert len(names) == IMPORT_ROWS and max(names.values()) == 1, (len(names), names.most_common(2))
    figures.add(
        Case(
            "worker killed mid-import",
            f"SIGKILL to the worker while it imported a {IMPORT_ROWS}-row CSV; a new worker started",
            operations=IMPORT_ROWS,
            in_flight=IMPORT_ROWS - at_kill,
            succeeded=len(names),
            retried=1,
            lost=IMPORT_ROWS - len(names),
            doubled=sum(n - 1 for n in names.values()),
            notes=[f"killed after {at_kill} rows; RabbitMQ redelivered the job, which resumed at row {at_kill}"],
        )
    )


async def test_mail_whose_worker_is_killed_inside_the_smtp_conversation_is_sent_once(
    ordena: Ordena, rabbit: PrivateRabbit, database: Database, inbox: Inbox, figures: Figures
) -> None:
    ordena.env["ORDENA_BROKER_URL"] = rabbit.url
    ordena.start_web()
    firm = await make_firm(database, roles=(Role.OWNER, Role.PARTNER))
    client = await signed_in_firm(ordena.base_url, firm, Role.PARTNER)
    addresses = [f"kill-{firm.slug[-6:]}-{i}@example.com" for i in range(MAILS)]
    for address in addresses:
        response = await client.post(f"/w/{firm.slug}/members/invite", {"email": address, "role": "viewer"})
        assert response.status_code == 303, response.text[:300]
    await client.close()
    inbox.ehlo_delay = 3.0  # every SMTP conversation now waits: the worker is killed inside one
    first = ordena.start_worker(threads=1, name="worker-1")
    await poll(lambda: _is_set(inbox), within=60, what="the worker to open an SMTP conversation", every=0.05)
    delivered_before = sum(inbox.copies(a) for a in addresses)
    first.kill()
    inbox.ehlo_delay = 0.0
    ordena.start_worker(threads=1, name="worker-2")

    async def all_delivered() -> bool:
        return all(inbox.copies(a) >= 1 for a in addresses)

    await poll(all_delivered, within=90, what="every email")
    await asyncio.sleep(2)  # a late second copy would show now
    copies = {a: inbox.copies(a) for a in addresses}
    assert all(n == 1 for n in copies.values()), copies
    assert inbox.duplicates() == 0
    figures.add(
        Case(
            "worker killed mid-mail",
            f"SIGKILL to the worker inside an SMTP conversation, {MAILS} emails queued; a new worker started",
            operations=MAILS,
            in_flight=MAILS - delivered_before,
            succeeded=sum(1 for n in copies.values() if n >= 1),
            retried=1,
            lost=sum(1 for n in copies.values() if n == 0),
            doubled=sum(n - 1 for n in copies.values() if n > 1),
            notes=[
                "the cut conversation never reached DATA, so the redelivered job sent it once; an email whose"
                " 250 reply is lost after DATA would be sent again with the same Message-ID (SMTP cannot do better)"
            ],
        )
    )


async def _is_set(inbox: Inbox) -> bool:
    return inbox.in_ehlo.is_set()


async def test_a_report_whose_worker_is_killed_while_printing_is_printed_once_by_the_next(
    ordena: Ordena, rabbit: PrivateRabbit, database: Database, owner: asyncpg.Pool, figures: Figures
) -> None:
    ordena.env["ORDENA_BROKER_URL"] = rabbit.url
    ordena.start_web()
    first = ordena.start_worker(threads=1, name="worker-1")
    w = await report_world(database)
    client = await signed_in_firm(ordena.base_url, w.firm, Role.CONSULTANT)
    await client.get(f"/w/{w.firm.slug}/assessments/{w.assessment_id}/results")
    asked = await client.post(
        f"/w/{w.firm.slug}/assessments/{w.assessment_id}/reports", {"format": "pdf", "locale": "es"}
    )
    assert asked.status_code == 303, asked.text[:300]

    async def report_row() -> asyncpg.Record | None:
        return await owner.fetchrow(
            "SELECT id, status, size FROM report WHERE tenant_id = $1 AND assessment_id = $2",
            w.tenant_id,
            w.assessment_id,
        )

    async def printing() -> bool:
        row = await report_row()
        return row is not None and row["status"] == "running"

    await poll(printing, within=120, what="the worker to start printing the report", every=0.02)
    first.kill()
    killed_while = (await report_row() or {}).get("status")
    ordena.start_worker(threads=1, name="worker-2")

    async def finished() -> bool:
        row = await report_row()
        return row is not None and row["status"] in ("done", "failed")

    await poll(finished, within=180, what="the redelivered report job to finish")
    row = await report_row()
    assert row is not None and row["status"] == "done", row
    download = await client.get(f"/w/{w.firm.slug}/reports/{row['id']}/download")
    await client.close()
    folder = Path(ordena.env["ORDENA_DATA_DIR"]) / "reports" / str(w.tenant_id)
    files = sorted(p.name for p in folder.iterdir())
    rows = int(await owner.fetchval("SELECT count(*) FROM report WHERE tenant_id = $1", w.tenant_id))
    assert killed_while == "running"
    assert files == [f"{row['id']}.pdf"], files  # one file, no half-written leftover
    assert rows == 1 and download.status_code == 200 and download.content.startswith(b"%PDF")
    assert len(download.content) == row["size"]
    figures.add(
        Case(
            "worker killed mid-report",
            "SIGKILL to the worker while it printed an assessment's PDF report; a new worker started",
            operations=1,
            in_flight=1,
            succeeded=1,
            retried=1,
            lost=0,
            doubled=len(files) - 1,
            notes=[
                "the report was 'running' when the worker died; the redelivered job took the report's advisory"
                " lock (released with the dead worker's connection) and printed it: one file, one row, downloadable"
            ],
        )
    )


async def test_a_benchmark_refresh_whose_worker_is_killed_publishes_one_release(
    ordena: Ordena,
    rabbit: PrivateRabbit,
    database: Database,
    owner: asyncpg.Pool,
    settings: Settings,
    figures: Figures,
) -> None:
    async with owner.acquire() as conn:  # a network of 30 consenting firms, 20,000 published assessments
        await conn.execute("SET session_replication_role = replica")
        try:
            made = await generate_network(
                conn, firms=30, assessments=20_000, prefix="fallas", network_slug="red-fallas"
            )
        finally:
            await conn.execute("RESET session_replication_role")
    ordena.env["ORDENA_BROKER_URL"] = rabbit.url
    ordena.start_web()
    first = ordena.start_worker(threads=1, name="worker-1")
    async with database.session() as db:
        network = await db.get(Network, made.network_id)
        assert network is not None
        await request_refresh(db, network, None)  # what the network admin's button does
        await db.commit()
    role = settings.refresh_db_role

    async def refreshing() -> bool:
        return bool(
            await owner.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE usename = $1 AND xact_start IS NOT NULL", role
            )
        )

    await poll(refreshing, within=120, what="the worker to start the refresh", every=0.02)
    await asyncio.sleep(0.3)  # well inside the statistics
    first.kill()
    releases = "SELECT number, summary FROM benchmark_release WHERE network_id = $1 ORDER BY number"
    after_kill = await owner.fetch(releases, made.network_id)
    ordena.start_worker(threads=1, name="worker-2")

    async def published() -> bool:
        return bool(await owner.fetch(releases, made.network_id))

    await poll(published, within=240, what="the redelivered refresh to publish")
    await asyncio.sleep(2)  # a second release from a second delivery would show now
    rows = await owner.fetch(releases, made.network_id)
    cohorts = int(
        await owner.fetchval(
            "SELECT count(*) FROM benchmark_cohort c JOIN benchmark_release r ON r.id = c.release_id"
            " WHERE r.network_id = $1",
            made.network_id,
        )
    )
    assert after_kill == []  # the killed refresh's transaction left nothing
    assert [r["number"] for r in rows] == [1], rows
    assert cohorts > 0 and 3 <= json.loads(rows[0]["summary"])["firms"] <= made.firms
    figures.add(
        Case(
            "worker killed mid-refresh",
            f"SIGKILL to the worker inside a network benchmark refresh ({made.firms} firms, "
            f"{made.assessments:,} published assessments); a new worker started",
            operations=1,
            in_flight=1,
            succeeded=len(rows),
            retried=1,
            lost=1 - len(rows),
            doubled=max(0, len(rows) - 1),
            notes=[
                "the refresh is one repeatable-read transaction: the killed one left no release; RabbitMQ redelivered"
                f" the job, which published release 1 once ({cohorts} cohort rows)"
            ],
        )
    )
