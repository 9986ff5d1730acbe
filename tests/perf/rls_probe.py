"""The benchmark's RLS measurement alone, on a database the benchmark kept (``--keep-db``).

    .venv/bin/python -m tests.perf.harness --quick --only autosave --keep-db --out /tmp/b.md
    .venv/bin/python -m tests.perf.rls_probe postgresql://postgres@127.0.0.1:5432/ordena_bench_XXXXXXXX --grow

``--grow`` first brings the database to the full benchmark's size (the curve firm at 10,000
companies, 1,000 firms), as the full run leaves it. ``--control`` adds an owner-against-owner row
(two connections, the same transaction): what the method reads when there is no RLS at all.
Drop the database afterwards (``DROP DATABASE … WITH (FORCE)``).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from pathlib import Path

import asyncpg

from tests.perf import harness as h
from tests.perf.report import block_ratios


async def _context(url: str, iterations: int) -> h.Context:
    import dataclasses

    work = Path(tempfile.mkdtemp(prefix="ordena-rls-"))
    settings = h.bench_settings(url, work / "data")
    owner_dsn, app_dsn = h.dsns(settings)
    ctx = h.Context(dataclasses.replace(h.FULL, rls_iterations=iterations), settings, owner_dsn, app_dsn, work)
    conn = await asyncpg.connect(owner_dsn)
    try:
        tenant = "SELECT id FROM tenant WHERE slug LIKE $1 ORDER BY created_at LIMIT 1"
        ctx.main_tenant = await conn.fetchval(tenant, "bench-%-main-%")
        ctx.curve_tenant = await conn.fetchval(tenant, "bench-%-curve-%")
        ctx.firms_total = await conn.fetchval("SELECT count(*) FROM tenant")
        ctx.open_assessment = await conn.fetchval(
            "SELECT a.id FROM assessment a WHERE a.tenant_id = $1 AND a.status <> 'published' "
            "AND EXISTS (SELECT 1 FROM respondent r WHERE r.tenant_id = a.tenant_id AND r.assessment_id = a.id) "
            "ORDER BY a.created_at LIMIT 1",
            ctx.main_tenant,
        )
        await h.find_assessment_targets(ctx, conn)
    finally:
        await conn.close()
    return ctx


async def _grow(ctx: h.Context) -> None:
    from ordena.accounts.passwords import hash_password

    conn = await h.owner_conn(ctx)
    try:
        await h.grow_companies(ctx, conn, max(h.FULL.companies_curve))
        await h.grow_firms(ctx, conn, max(h.FULL.firms_curve), hash_password(h.PASSWORD))
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    for label, rep in ctx.data_phases:
        print(f"{label}: {rep.total_rows:,} rows", flush=True)


async def _control(ctx: h.Context) -> tuple[float, float]:
    """Owner against owner on two connections: the method's own bias, RLS aside."""
    a, b = await asyncpg.connect(ctx.owner_dsn), await asyncpg.connect(ctx.owner_dsn)
    sql = "SELECT count(*) FROM company WHERE tenant_id = $1"
    xs: list[float] = []
    ys: list[float] = []
    try:
        import time

        for i in range(ctx.mode.rls_iterations):
            for conn, sink in ((a, xs), (b, ys)) if i % 2 == 0 else ((b, ys), (a, xs)):
                t0 = time.perf_counter()
                await conn.execute("BEGIN")
                await conn.fetchval(sql, ctx.main_tenant)
                await conn.execute("COMMIT")
                sink.append((time.perf_counter() - t0) * 1e6)
    finally:
        await a.close()
        await b.close()
    return statistics.median(xs), statistics.median(block_ratios(xs, ys)) - 1


async def main_async(url: str, grow: bool, iterations: int, control: bool) -> None:
    ctx = await _context(url, iterations)
    if grow:
        await _grow(ctx)
    print(f"firms {ctx.firms_total:,}; {iterations} transactions per column", flush=True)
    if control:
        med, over = await _control(ctx)
        print(f"control, owner vs owner (two connections): {med:.0f} µs, {over:+.0%}", flush=True)
    print("| statement | app role + RLS | owner | owner + context | whole | policy only | server CPU (same) |")
    for case in await h.measure_rls(ctx):
        cells = []
        for app, owner, owner_ctx in (
            (case.app_us, case.owner_us, case.owner_ctx_us),
            (case.app_cpu_us, case.owner_cpu_us, case.owner_ctx_cpu_us),
        ):
            if not app:
                continue
            a, o, oc = (statistics.median(x) for x in (app, owner, owner_ctx))
            whole = statistics.median(block_ratios(app, owner)) - 1
            policy = statistics.median(block_ratios(app, owner_ctx)) - 1
            cells.append(f"{a:.0f} / {o:.0f} / {oc:.0f} µs | {whole:+.0%} | {policy:+.0%}")
        print(f"| {case.title} | " + " | ".join(cells) + " |", flush=True)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("database_url", help="a database the benchmark kept (--keep-db)")
    p.add_argument("--grow", action="store_true", help="grow it to the full benchmark's size first")
    p.add_argument("--iterations", type=int, default=h.FULL.rls_iterations)
    p.add_argument("--control", action="store_true", help="also measure owner against owner")
    a = p.parse_args()
    asyncio.run(main_async(a.database_url, a.grow, a.iterations, a.control))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
