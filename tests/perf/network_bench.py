"""The network benchmark at scale, in one command (DESIGN §9 and §11):

    uv run python -m tests.perf.network_bench --firms 500 --assessments 1000000
    uv run python -m tests.perf.network_bench --firms 500 --assessments 100000 --out docs/benchmarks-network.md

It creates its own database ``ordena_bench_<random>`` on BENCH_DATABASE_SERVER (default: the
machine PostgreSQL), migrates it, generates the network with ``ordena.demo.network_scale`` (bulk
SQL), then measures (and drops the database). ``--database NAME`` uses and keeps that database
instead; run again with the same name, it skips the generation (40 minutes at 1 M on a loaded
machine) and measures again; ``--skip-refresh`` keeps its latest release, ``--no-utility`` skips
the utility table:

    uv run python -m tests.perf.network_bench --assessments 1000000 --database ordena_netbench_1m
    uv run python -m tests.perf.network_bench --assessments 1000000 --database ordena_netbench_1m --skip-refresh

* a full refresh, run as ``python -m ordena networks refresh <slug>`` in a child process (the
  worker's work: it logs in as the refresh role): wall time and the child's peak RSS (``wait4``);
* the benchmark lookup for one assessment (``ordena.networks.lookup.benchmark``: its statement
  as the app role with the firm set, as the page does), each sample a different published
  assessment, random slices: p50, p95, p99, beside the warm repeat and the server's execution;
* the utility figure: the mean absolute error of the published (noisy) median against the exact
  ``percentile_cont`` median of the same population, by the cohort's true size band.

No timing is asserted anywhere: the output is a report (appended to ``--out``).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg

from ordena.db.migrate import upgrade_async
from ordena.demo.network_scale import generate_network
from ordena.networks import lookup, queries
from ordena.networks.models import SLICE_KINDS
from ordena.networks.refresh import slice_of
from tests.perf.harness import APP_ROLE, SECRET, bench_settings, create_database, drop_database, dsns

REFRESH_ROLE = "ordena_bench_refresh"
SIZE_BANDS = ((100, "100+"), (50, "50-99"), (20, "20-49"), (10, "10-19"), (5, "5-9"), (0, "<5"))

_EXACT_MEDIANS = f"""
    {queries.SCORES}
    SELECT scope_kind, scope_key, GROUPING(industry, size, country) AS g, coalesce(industry, '') AS industry,
           coalesce(size, '') AS size, coalesce(country, '') AS country, count(*) AS n,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY score) AS median
    FROM scores
    GROUP BY scope_kind, scope_key, GROUPING SETS ((), (industry), (size), (country), (industry, size))
"""


def _band(n: int) -> str:
    return next(label for edge, label in SIZE_BANDS if n >= edge)


def refresh_child(settings: Any, slug: str) -> dict[str, float]:
    env = {
        **os.environ,
        "ORDENA_ENV": "bench",
        "ORDENA_DATABASE_URL": settings.database_url,
        "ORDENA_SECRET_KEY": SECRET,
        "ORDENA_APP_DB_ROLE": APP_ROLE,
        "ORDENA_REFRESH_DB_ROLE": REFRESH_ROLE,
        "ORDENA_DATA_DIR": str(settings.data_dir),
        "ORDENA_LOG_JSON": "0",
    }
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "ordena", "networks", "refresh", slug], env=env)
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"the refresh failed ({child.returncode})")
    return {"seconds": seconds, "peak_rss_mib": usage.ru_maxrss / 1024, "cpu_seconds": usage.ru_utime + usage.ru_stime}


def _percentiles(times: list[float]) -> dict[str, float]:
    times = sorted(times)
    return {
        "p50_ms": statistics.median(times),
        "p95_ms": times[int(0.95 * len(times)) - 1],
        "p99_ms": times[int(0.99 * len(times)) - 1],
        "max_ms": times[-1],
    }


async def measure_lookup(owner_dsn: str, app_dsn: str, network_id: Any, samples: int) -> dict[str, Any]:
    """The whole call (``lookup.benchmark``: the statement and the Python that turns its row into
    the page's figures) for as many different assessments as samples (none looked up before in the
    run, so its rows are read from outside PostgreSQL's buffers as a page's first view is), then, on the same picks, the statement's round trip alone and the
    server's own time for it (``EXPLAIN (ANALYZE, TIMING OFF)``: planning + execution), so a slow
    tail can be told apart: database work, or the process waiting for a core. (EXPLAIN plans
    anew each time; the prepared statement runs on its cached generic plan.)"""
    owner = await asyncpg.connect(owner_dsn)
    try:
        picks = await owner.fetch(
            "SELECT a.tenant_id, a.id FROM assessment a JOIN network_membership m ON m.tenant_id = a.tenant_id"
            " AND m.network_id = $1 AND m.consent_at IS NOT NULL AND m.left_at IS NULL"
            " WHERE a.status = 'published' ORDER BY random() LIMIT $2",
            network_id,
            samples + 50,
        )
    finally:
        await owner.close()
    conn = await asyncpg.connect(app_dsn)
    rnd = random.Random(7)
    times: list[float] = []
    trips: list[float] = []
    server: list[float] = []
    planning: list[float] = []
    cohorts = 0
    try:
        for i, (tenant_id, aid) in enumerate(picks):  # each assessment once: its pages are cold, as a page's
            kind = rnd.choice(SLICE_KINDS)
            async with conn.transaction():
                await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_id))
                t0 = time.perf_counter()
                found = await lookup.benchmark(conn, tenant_id, aid, kind)
                t1 = time.perf_counter()
                await conn.fetchrow(lookup._LOOKUP, tenant_id, aid, kind)
                t2 = time.perf_counter()
                plan = await conn.fetch("EXPLAIN (ANALYZE, TIMING OFF) " + lookup._LOOKUP, tenant_id, aid, kind)
            if i >= 50:  # the first ones warm the caches
                times.append((t1 - t0) * 1000)
                trips.append((t2 - t1) * 1000)
                text = "\n".join(r[0] for r in plan)
                server.append(float(re.findall(r"Execution Time: ([\d.]+) ms", text)[0]))
                planning.append(float(re.findall(r"Planning Time: ([\d.]+) ms", text)[0]))
                cohorts = max(cohorts, len(found.rows) if found else 0)
        generic = await conn.fetchval(
            "SELECT max(generic_plans) FROM pg_prepared_statements WHERE statement LIKE '%WITH ctx AS%'"
            " AND statement NOT LIKE 'EXPLAIN%'"
        )
    finally:
        await conn.close()
    return {
        "samples": len(times),
        **_percentiles(times),
        "round_trip": _percentiles(trips),  # the same statement again: its pages now in shared buffers
        "server": _percentiles(server),
        "planning": _percentiles(planning),
        "generic_plans": generic,
        "cohorts_per_lookup": cohorts,
    }


# What one lookup reads that grows with the number of assessments (tables and the indexes it uses).
LOOKUP_RELATIONS = (
    "assessment",
    "pk_assessment",
    "company",
    "pk_company",
    "result_snapshot",
    "uq_result_snapshot_tenant_id",
    "result_dimension_score",
    "uq_result_dimension_score_tenant_id",
)


async def warm_lookup_tables(owner_dsn: str) -> dict[str, int]:
    """Read the lookup's relations into the operating system's page cache (``pg_prewarm``, mode
    'read'), as they sit on a server in steady state whose memory holds them (3.4 GB at 1 M here,
    on a 24 GB machine): the cold figure measures this VM's disk, not the lookup."""
    conn = await asyncpg.connect(owner_dsn)
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        return {
            r["relname"]: int(r["blocks"])
            for r in await conn.fetch(
                "SELECT relname, pg_prewarm(oid::regclass, 'read') AS blocks FROM pg_class WHERE relname = ANY($1)",
                list(LOOKUP_RELATIONS),
            )
        }
    finally:
        await conn.close()


async def utility(owner_dsn: str, network_id: Any, framework_id: Any, release_id: Any) -> dict[str, dict[str, float]]:
    conn = await asyncpg.connect(owner_dsn)
    try:
        exact = await conn.fetch(_EXACT_MEDIANS, network_id, framework_id, dt.date.today())
        published = {
            (r["scope_kind"], r["scope_key"], r["slice_kind"], r["slice_value"]): float(r["p50"])
            for r in await conn.fetch(
                "SELECT scope_kind, scope_key, slice_kind, slice_value, p50 FROM benchmark_cohort"
                " WHERE release_id = $1 AND published",
                release_id,
            )
        }
    finally:
        await conn.close()
    errors: dict[str, list[float]] = {}
    for r in exact:
        kind, value = slice_of(r)
        got = published.get((r["scope_kind"], r["scope_key"], kind, value))
        if got is not None:
            errors.setdefault(_band(r["n"]), []).append(abs(got - float(r["median"])))
    return {
        band: {"cohorts": len(errors[band]), "mae": statistics.fmean(errors[band]), "max": max(errors[band])}
        for _edge, band in SIZE_BANDS
        if band in errors
    }


async def _named_database(server: str, name: str) -> tuple[str, bool]:
    """The bench database called ``name`` on ``server``: (its URL, whether it already existed)."""
    conn = await asyncpg.connect(server.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        existed = bool(await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name))
        if not existed:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base, _sep, _db = server.rpartition("/")
    return f"{base}/{name}", existed


async def _generated(owner_dsn: str) -> tuple[Any, str, int, int] | None:
    """A network the generator already made in this database: (id, slug, companies, assessments)."""
    conn = await asyncpg.connect(owner_dsn)
    try:
        net = await conn.fetchrow("SELECT id, slug FROM network WHERE slug = 'red-escala'")
        if net is None:
            return None
        companies = await conn.fetchval("SELECT count(*) FROM company")
        assessments = await conn.fetchval("SELECT count(*) FROM assessment WHERE status = 'published'")
    finally:
        await conn.close()
    if not assessments:
        return None
    return net["id"], net["slug"], companies, assessments


async def run(args: argparse.Namespace) -> dict[str, Any]:
    server = os.environ.get("BENCH_DATABASE_SERVER", "postgresql://postgres@127.0.0.1:5432/postgres")
    if args.database:
        url, _existed = await _named_database(server, args.database)
        args.keep_db = True
    else:
        url = await create_database(server)
    data_dir = Path(tempfile.mkdtemp(prefix="ordena-netbench-"))
    settings = replace(bench_settings(url, data_dir), refresh_db_role=REFRESH_ROLE)
    out: dict[str, Any] = {"firms": args.firms, "assessments_asked": args.assessments, "machine": platform.node()}
    try:
        await upgrade_async(settings)
        owner_dsn, app_dsn = dsns(settings)
        reused = await _generated(owner_dsn) if args.database else None
        conn = await asyncpg.connect(owner_dsn)
        try:
            if reused is not None:  # --database naming one a previous run filled: measure it again
                network_id, slug, out["companies"], out["assessments"] = reused
                out["generate_seconds"] = None
                print(f"reusing {args.database}: {out['assessments']:,} published assessments", flush=True)
            else:
                await conn.execute("SET session_replication_role = replica")
                t0 = time.perf_counter()
                made = await generate_network(conn, firms=args.firms, assessments=args.assessments, progress=print)
                out["generate_seconds"] = time.perf_counter() - t0
                out["companies"], out["assessments"] = made.companies, made.assessments
                network_id, slug = made.network_id, made.slug
                print(f"generated in {out['generate_seconds']:.0f} s", flush=True)
            framework_id = await conn.fetchval("SELECT framework_id FROM network WHERE id = $1", network_id)
            has_release = await conn.fetchval("SELECT 1 FROM benchmark_release WHERE network_id = $1", network_id)
        finally:
            await conn.close()
        if args.skip_refresh and has_release:
            out["refresh"] = None
        else:
            print("refreshing…", flush=True)
            out["refresh"] = await asyncio.to_thread(refresh_child, settings, slug)
            print(f"refresh: {out['refresh']}", flush=True)
        conn = await asyncpg.connect(owner_dsn)
        try:
            release = await conn.fetchrow(
                "SELECT id, summary FROM benchmark_release WHERE network_id = $1 ORDER BY number DESC LIMIT 1",
                network_id,
            )
            out["load_average"] = os.getloadavg()
        finally:
            await conn.close()
        out["release_summary"] = (
            json.loads(release["summary"]) if isinstance(release["summary"], str) else release["summary"]
        )
        out["lookup"] = await measure_lookup(owner_dsn, app_dsn, network_id, args.samples)
        out["load_average_after"] = os.getloadavg()
        if args.warm:
            out["warmed"] = await warm_lookup_tables(owner_dsn)
            out["lookup_warm"] = await measure_lookup(owner_dsn, app_dsn, network_id, args.samples)
            print(f"lookup, tables in the page cache: {out['lookup_warm']}", flush=True)
        print(f"lookup: {out['lookup']} (load average {out['load_average_after']})", flush=True)
        out["utility"] = None if args.no_utility else await utility(owner_dsn, network_id, framework_id, release["id"])
        print(f"utility: {out['utility']}", flush=True)
    finally:
        if not args.keep_db:
            await drop_database(url)
    return out


def report(results: dict[str, Any], command: str) -> str:
    r, lk = results["refresh"], results["lookup"]
    gen = results["generate_seconds"]
    before, after = results.get("load_average"), results.get("load_average_after")
    load = f"; load average {before[0]:.1f} before the lookups, {after[0]:.1f} after" if before and after else ""
    lines = [
        f"## Network benchmark at scale: {results['firms']} firms, {results['assessments']:,} published assessments",
        "",
        f"Machine `{results['machine']}` (2 cores, shared{load}). Command: `{command}`.",
        "",
        (
            f"- data generation (bulk SQL): {gen:.0f} s for {results['companies']:,} companies"
            if gen is not None
            else f"- data: reused from an earlier run's database ({results['companies']:,} companies)"
        ),
        (
            f"- full refresh (`ordena networks refresh`, refresh role): **{r['seconds']:.1f} s** wall, "
            f"{r['cpu_seconds']:.1f} s CPU in the worker, **peak RSS {r['peak_rss_mib']:.0f} MiB** "
            "(the statistics run in PostgreSQL)"
            if r
            else "- refresh: not run again (`--skip-refresh`: the latest release of the reused database)"
        ),
        f"- release: {json.dumps(results['release_summary'].get('cohorts'))}, "
        f"firms participating {results['release_summary'].get('firms')}",
        f"- lookup for one assessment ({lk['samples']} samples, each a different assessment, random slices, {lk['cohorts_per_lookup']} cohorts): "
        f"p50 {lk['p50_ms']:.2f} ms, p95 {lk['p95_ms']:.2f} ms, **p99 {lk['p99_ms']:.2f} ms** (budget < 5 ms), "
        f"max {lk['max_ms']:.1f} ms",
        f"  - the statement again right after (its pages now in PostgreSQL's buffers): p50 {lk['round_trip']['p50_ms']:.2f} ms, "
        f"p95 {lk['round_trip']['p95_ms']:.2f} ms, p99 {lk['round_trip']['p99_ms']:.2f} ms",
        f"  - the server's execution (EXPLAIN ANALYZE): p50 {lk['server']['p50_ms']:.2f} ms, "
        f"p95 {lk['server']['p95_ms']:.2f} ms, p99 {lk['server']['p99_ms']:.2f} ms; planning "
        f"{lk['planning']['p50_ms']:.2f} ms at p50, which the page's prepared statement skips "
        f"(it ran on a generic plan {lk['generic_plans']} times)",
    ]
    warm = results.get("lookup_warm")
    if warm:
        lines.append(
            f"- the same lookups with the relations they read in the page cache (`--warm`: `pg_prewarm` 'read' of "
            f"{', '.join(results['warmed'])}; a server whose memory holds them): p50 {warm['p50_ms']:.2f} ms, "
            f"p95 {warm['p95_ms']:.2f} ms, **p99 {warm['p99_ms']:.2f} ms** (budget < 5 ms), max {warm['max_ms']:.1f} ms"
        )
    if results["utility"] is None:
        return "\n".join(lines) + "\n"
    lines += [
        "",
        "Utility: mean absolute error of the published (noisy, ε = 1) median against the exact",
        "`percentile_cont` median, by the cohort's true size (goal ≤ 0.25 score points for 20 or more):",
        "",
        "| cohort size | cohorts | MAE | max |",
        "|---|---:|---:|---:|",
    ]
    for band, u in results["utility"].items():
        lines.append(f"| {band} | {u['cohorts']} | {u['mae']:.3f} | {u['max']:.3f} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--firms", type=int, default=500)
    parser.add_argument("--assessments", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--out", type=Path, default=Path("docs/benchmarks-network.md"))
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument(
        "--database",
        help="use (and keep) the database of this name; when a previous run already generated the network in it,"
        " skip the generation and measure again",
    )
    parser.add_argument(
        "--no-utility", action="store_true", help="skip the utility table (the same release gives the same table)"
    )
    parser.add_argument(
        "--skip-refresh", action="store_true", help="with --database: keep the latest release instead of refreshing"
    )
    parser.add_argument(
        "--warm",
        action="store_true",
        help="then measure the lookups again with the relations they read in the OS page cache (pg_prewarm)",
    )
    args = parser.parse_args()
    results = asyncio.run(run(args))
    text = report(results, "uv run python -m tests.perf.network_bench " + " ".join(sys.argv[1:]))
    with args.out.open("a") as f:
        f.write("\n" + text)
    args.out.with_name(f"{args.out.stem}-{args.assessments}.json").write_text(
        json.dumps(results, indent=2, default=str)
    )
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
