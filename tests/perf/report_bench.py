"""Reports in the benchmark harness: the worker's PDF of a 13-dimension assessment with a
30-initiative plan (time and peak memory), and the portfolio workbook of a firm with 500
companies. Not a load test: each is the worker function (or the route's service) timed alone.

    uv run python -m tests.perf.report_bench                         # both, printed and appended to --out
    uv run python -m tests.perf.harness --only report_pdf,report_xlsx  # the same, from the harness

It creates its own database on BENCH_DATABASE_SERVER like the harness, and drops it afterwards.
Peak memory: ``tracemalloc``'s peak of Python allocations during one render, and the process's
maximum resident set (``resource.getrusage``), which includes WeasyPrint's native libraries.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import resource
import statistics
import tempfile
import time
import tracemalloc
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from ordena.assessments.models import Answer, Assessment, ResultDimensionScore, ResultSnapshot
from ordena.audit.services import Actor
from ordena.companies.models import Company
from ordena.db.engine import Database
from ordena.frameworks import services as frameworks
from ordena.lib.i18n import use_locale
from ordena.plans.generation import generate_plan
from ordena.plans.models import Initiative, Plan
from ordena.reports.content import load_report
from ordena.reports.pdf import render_pdf
from ordena.reports.xlsx import portfolio_workbook
from tests.factories import make_firm
from tests.integration.results.helpers import make_assessment
from tests.perf.servers import ROOT

KEYS = ("report_pdf", "report_xlsx")
RUNS = int(os.environ.get("BENCH_REPORT_RUNS", "5"))


async def _pdf_world(database: Database) -> tuple[uuid.UUID, uuid.UUID, int, int]:
    firm = await make_firm(database, name="Consultores Andinos Asociados")
    async with database.session() as db:
        tree = await frameworks.structure(db, (await frameworks.default_version(db)).id)
    # Every question answered at level 1 or 2, with a comment every third one.
    answers = {q.key: 1 + (i % 2) for i, q in enumerate(tree.questions)}
    made = await make_assessment(database, firm.id, kind="consultant", status="validated", consultant=answers)
    async with database.session(tenant_id=firm.id) as db:
        for i, answer in enumerate(await db.scalars(select(Answer).where(Answer.tenant_id == firm.id))):
            if i % 3 == 0:
                answer.comment = "Se revisó con el gerente del área; falta un procedimiento escrito y un responsable."
        await generate_plan(db, firm.id, Actor(None, "bench"), made.assessment_id)
        plan = await db.scalar(select(Plan).where(Plan.tenant_id == firm.id))
        assert plan is not None
        n = int(await db.scalar(select(func.count()).where(Initiative.tenant_id == firm.id)) or 0)
        for k in range(n, 30):
            db.add(
                Initiative(
                    tenant_id=firm.id,
                    plan_id=plan.id,
                    dimension_key=tree.dimensions[k % len(tree.dimensions)].key,
                    title=f"Iniciativa adicional {k + 1}: documentar y medir el proceso",
                    priority=1 + k % 4,
                    position=k,
                    due_on=dt.date(2027, 1 + k % 12, 15),
                )
            )
        await db.commit()
        extra = list(
            await db.scalars(
                select(Initiative).where(Initiative.tenant_id == firm.id).order_by(Initiative.priority.desc()).offset(0)
            )
        )[30:]
        for initiative in extra:  # generation may propose more: keep the plan at 30
            await db.delete(initiative)
        await db.commit()
        total = int(await db.scalar(select(func.count()).where(Initiative.tenant_id == firm.id)) or 0)
    return firm.id, made.assessment_id, len(tree.dimensions), total


async def _portfolio_world(database: Database, companies: int = 500) -> uuid.UUID:
    firm = await make_firm(database, name="Cartera Grande SAC")
    async with database.session() as db:
        version = await frameworks.default_version(db)
        tree = await frameworks.structure(db, version.id)
    async with database.session(tenant_id=firm.id) as db:
        for i in range(companies):
            company = Company(
                tenant_id=firm.id, name=f"Empresa {i:03d} S.A.C.", industry_section="G", size_band="mediana"
            )
            db.add(company)
            await db.flush()
            a = Assessment(
                tenant_id=firm.id,
                company_id=company.id,
                framework_version_id=version.id,
                title="Diagnóstico",
                status="published",
                published_at=dt.datetime.now(dt.UTC),
            )
            db.add(a)
            await db.flush()
            db.add(ResultSnapshot(tenant_id=firm.id, assessment_id=a.id, overall=Decimal("2.50"), data={}))
            for j, d in enumerate(tree.dimensions):
                db.add(
                    ResultDimensionScore(
                        tenant_id=firm.id,
                        assessment_id=a.id,
                        company_id=company.id,
                        dimension_key=d.key,
                        score=Decimal(1 + (i + j) % 4) + Decimal("0.25"),
                    )
                )
            plan = Plan(tenant_id=firm.id, assessment_id=a.id, company_id=company.id, title="Plan")
            db.add(plan)
            await db.flush()
            for k in range(3):
                db.add(
                    Initiative(
                        tenant_id=firm.id,
                        plan_id=plan.id,
                        dimension_key=tree.dimensions[k].key,
                        title=f"I{k}",
                        progress=30 * k,
                    )
                )
            if i % 100 == 99:
                await db.flush()
        await db.commit()
    return firm.id


def _mb(n: float) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


async def measure(database: Database, settings: Any, only: tuple[str, ...]) -> list[str]:
    load = os.getloadavg()[0]
    lines = [
        f"## Reports (measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores,"
        f" load average {load:.1f} when it started)",
        "",
    ]
    if "report_pdf" in only:
        tenant_id, assessment_id, dims, initiatives = await _pdf_world(database)
        times: list[float] = []

        async def once() -> bytes:
            async with database.session(tenant_id=tenant_id) as db:
                with use_locale("es"):
                    doc = await load_report(db, tenant_id, assessment_id)
                    return render_pdf(doc, settings.templates_dir, settings.static_dir)

        cpu: list[float] = []
        for _ in range(RUNS):
            t0, c0 = time.perf_counter(), time.process_time()
            body = await once()
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        # Memory on a separate run: tracemalloc slows every allocation down several times.
        tracemalloc.start()
        await once()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        lines += [
            f"- report_pdf: {dims} dimensions, {initiatives} initiatives, {len(body) // 1024} KB;"
            f" read + render in the worker: median {statistics.median(times):.2f} s, best {min(times):.2f} s,"
            f" worst {max(times):.2f} s over {RUNS} runs; CPU time of the worker process median"
            f" {statistics.median(cpu):.2f} s (budget < 3 s, goal < 1 s; on a loaded machine the CPU time is the"
            " comparable figure);"
            f" peak Python allocations {_mb(peak)}; process max RSS {_mb(rss)}",
        ]
    if "report_xlsx" in only:
        tenant_id = await _portfolio_world(database)
        times, cpu = [], []
        for _ in range(RUNS):
            t0, c0 = time.perf_counter(), time.process_time()
            async with database.session(tenant_id=tenant_id) as db:
                body = await portfolio_workbook(db, tenant_id)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        lines.append(
            f"- report_xlsx: portfolio workbook of 500 companies × 13 dimensions, {len(body) // 1024} KB:"
            f" median {statistics.median(times):.2f} s, best {min(times):.2f} s, worst {max(times):.2f} s"
            f" over {RUNS} runs; CPU time median {statistics.median(cpu):.2f} s (budget < 2 s)"
        )
    return lines


def run(only: tuple[str, ...] = KEYS, out: Path | None = None) -> list[str]:
    from tests.perf.harness import bench_settings, create_database, drop_database

    server_url = os.environ.get("BENCH_DATABASE_SERVER", "postgresql://postgres@127.0.0.1:5432/postgres")
    url = asyncio.run(create_database(server_url))
    work = Path(tempfile.mkdtemp(prefix="ordena-report-bench-"))
    settings = bench_settings(url, work / "data")

    async def go() -> list[str]:
        from ordena.db.migrate import upgrade_async

        await upgrade_async(settings)
        database = Database.connect(settings)
        try:
            return await measure(database, settings, only)
        finally:
            await database.dispose()

    try:
        lines = asyncio.run(go())
    finally:
        asyncio.run(drop_database(url))
    print("\n".join(lines), flush=True)
    if out is not None:
        with open(out, "a", encoding="utf-8") as fh:
            fh.write("\n" + "\n".join(lines) + "\n")
    return lines


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", default=",".join(KEYS))
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks-reports.md")
    a = p.parse_args()
    run(tuple(k.strip() for k in a.only.split(",") if k.strip()), a.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
