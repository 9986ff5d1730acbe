"""PostgreSQL restarted while autosaves and a CSV import are in flight: the web app answers 503
with a retry hint (never a 500 page with a trace) while the database is away, the pool recovers
on its own, the import resumes where its last committed batch ended, and no answer is half-saved,
lost or saved twice."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import asyncpg

from ordena.db.engine import Database
from tests.faults.figures import Case, Figures
from tests.faults.stack import Ordena, PrivatePostgres, PrivateRabbit
from tests.faults.work import (
    Tally,
    autosave_loop,
    committed_answer_ops,
    companies_csv,
    half_saved_answers,
    import_state,
    imported_names,
    lost_and_doubled,
    questionnaire,
    signed_in,
    upload_import,
    wait_import,
)

CLIENTS = 4
IMPORT_ROWS = 300
DOWN_SECONDS = 4


async def test_a_database_restart_fails_requests_cleanly_and_loses_no_autosave_or_imported_row(
    ordena: Ordena,
    postgres: PrivatePostgres,
    rabbit: PrivateRabbit,
    database: Database,
    owner: asyncpg.Pool,
    figures: Figures,
) -> None:
    ordena.env["ORDENA_BROKER_URL"] = rabbit.url
    ordena.start_web()
    ordena.start_worker()
    q = await questionnaire(database, questions=CLIENTS)
    client = await signed_in(ordena.base_url, q.world)
    tally, stop = Tally(), asyncio.Event()
    loops = [asyncio.create_task(autosave_loop(client, q, i, tally, stop)) for i in range(CLIENTS)]
    prefix = f"Reinicio {q.world.slug[-6:]}"
    job_id = await upload_import(client, q.world, companies_csv(prefix, IMPORT_ROWS))

    async def import_started() -> bool:
        return int((await import_state(owner, q.world, job_id))["done"]) > 0

    await _wait(import_started)
    before = await import_state(owner, q.world, job_id)
    in_flight = tally.in_flight() + (1 if before["status"] != "done" else 0)
    await asyncio.to_thread(postgres.stop, "fast")  # every connection is cut
    await asyncio.sleep(DOWN_SECONDS)
    await asyncio.to_thread(postgres.start)
    acked_before_recovery = tally.succeeded
    await _wait(lambda: _more_than(tally, acked_before_recovery + 4 * CLIENTS))  # the pool recovered
    stop.set()
    await asyncio.gather(*loops)
    ready = await client.get("/health/ready")
    assert ready.status_code == 200, ready.text

    recovered = time.monotonic()
    state = await wait_import(owner, q.world, job_id, within=90)
    print(f"import finished {time.monotonic() - recovered:.1f} s after the pool recovered")
    names = await imported_names(owner, q.world, prefix)
    await client.close()

    committed = await committed_answer_ops(owner, q)
    lost, doubled = lost_and_doubled(tally.acked, committed)
    assert lost == [] and doubled == []
    assert await half_saved_answers(owner, q) == []
    assert tally.failures[500] == 0 and set(tally.failures) <= {503, 0}, tally.failures
    assert tally.failures[503] > 0, "no request reached the app while the database was away"
    assert state["status"] == "done", state
    assert len(names) == IMPORT_ROWS and max(names.values()) == 1, (len(names), names.most_common(2))
    assert json.loads(state["result"])["imported"] == IMPORT_ROWS

    figures.add(
        Case(
            "database restart",
            f"PostgreSQL stopped (fast: connections cut) for {DOWN_SECONDS} s and started again, under "
            f"{CLIENTS} autosaving clients and a {IMPORT_ROWS}-row CSV import",
            operations=tally.sent + 1,
            in_flight=in_flight,
            succeeded=tally.succeeded + 1,
            retried=tally.retried,
            lost=len(lost) + IMPORT_ROWS - len(names),
            doubled=len(doubled) + sum(n - 1 for n in names.values()),
            notes=[
                f"autosaves answered 503 + Retry-After {tally.failures[503]} times, 500 never; the import (at row "
                f"{before['done']} when PostgreSQL stopped) finished with {IMPORT_ROWS} companies, each once"
            ],
        )
    )


def _more_than(tally: Tally, n: int) -> Any:
    async def check() -> bool:
        return tally.succeeded > n

    return check()


async def _wait(check: Any, within: float = 60) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.1)
