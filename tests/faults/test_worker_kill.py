"""A worker killed with SIGKILL mid-job: RabbitMQ hands the unacknowledged message to the next
worker, and the job's effect happens exactly once (the CSV import resumes after its last
committed batch; an email cut off inside its SMTP conversation is sent once, not twice)."""

from __future__ import annotations

import asyncio
import json

import asyncpg

from ordena.db.engine import Database
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
