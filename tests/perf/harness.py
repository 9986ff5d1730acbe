"""The benchmark harness (``make bench``): Ordena against the floor of its own stack.

    uv run python -m tests.perf.harness            # full run (~10 min), writes docs/benchmarks.md
    uv run python -m tests.perf.harness --quick    # or BENCH_QUICK=1: fewer rounds and curve points
    uv run python -m tests.perf.harness --out /tmp/b.md --keep-db

It creates its own database ``ordena_bench_<random>`` on BENCH_DATABASE_SERVER (default: the
machine PostgreSQL, postgresql://postgres@127.0.0.1:5432/postgres) with its own app role
``ordena_bench_app``, fills it with ``ordena.demo.scale`` (COPY), starts Ordena and the floor
(tests/perf/floor_app.py) under uvicorn on ports 8100–8199, and loads both from a separate
process (wrk, or tests/perf/pyload.py without it). Every Ordena figure is a ratio to the floor
measured in the same round, pair by pair; rounds alternate which one goes first.
No timing is asserted anywhere: the output is a report.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import io
import json
import os
import platform
import pstats
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import asyncpg
import httpx

from ordena.demo.scale import ScaleReport, ScaleSpec, add_companies, asyncpg_dsn, generate
from ordena.settings import Settings
from tests.perf import report as report_mod
from tests.perf import report_bench
from tests.perf.contact_data import make_contact_session, make_reassessment
from tests.perf.network_data import make_network
from tests.perf.plan_data import BOARD_INITIATIVES, make_plan_data
from tests.perf.servers import ROOT, Request, Result, Server, have_wrk, run_load
from tests.perf.webhook_data import (
    STRIPE_API_BASE,
    STRIPE_KEY,
    WEBHOOK_SECRET,
    billing_env,
    firms_are_paying,
    signed_deliveries,
)

PASSWORD = "ordena-bench-1"
SECRET = "bench-secret-key-0123456789abcdef0123456789"
APP_ROLE = "ordena_bench_app"
CSRF_RE = re.compile(r'name="_csrf" value="([^"]+)"')


@dataclass(frozen=True)
class Mode:
    name: str
    rounds: int
    duration: float
    concurrencies: tuple[int, ...]
    warmup: float
    main_companies: int
    companies_curve: tuple[int, ...]
    firms_curve: tuple[int, ...]
    filler_companies: int
    curve_rounds: int
    curve_concurrency: int
    rls_iterations: int
    profile_seconds: float
    only: tuple[str, ...] = ()  # smoke: just these scenarios
    profile: tuple[str, ...] = ()  # profile these scenarios (default: the slowest and the dashboard)
    loadgen: str = ""  # "py" forces tests/perf/pyload.py (sub-second runs)
    curves_only: bool = False  # --scale: the scale curves alone (no scenarios)


FULL = Mode(
    "full",
    rounds=3,
    duration=2,
    concurrencies=(1, 8, 32),
    warmup=1,
    main_companies=500,
    companies_curve=(100, 1000, 10000),
    firms_curve=(10, 100, 1000),
    filler_companies=50,
    curve_rounds=2,
    curve_concurrency=8,
    rls_iterations=600,
    profile_seconds=6,
)
QUICK = Mode(
    "quick",
    rounds=2,
    duration=1,
    concurrencies=(1, 8, 32),
    warmup=1,
    main_companies=500,
    companies_curve=(100, 2000),
    firms_curve=(10, 100),
    filler_companies=50,
    curve_rounds=1,
    curve_concurrency=8,
    rls_iterations=200,
    profile_seconds=4,
)
SCALE = dataclasses.replace(
    FULL,
    name="scale",
    rounds=1,
    concurrencies=(8,),
    companies_curve=(100, 1000, 10000),
    firms_curve=(10, 100, 1000),
    only=("-",),
    curves_only=True,
)
SMOKE = Mode(
    "smoke",
    rounds=1,
    duration=0.2,
    concurrencies=(1,),
    warmup=0,
    main_companies=20,
    companies_curve=(20,),
    firms_curve=(3,),
    filler_companies=3,
    curve_rounds=1,
    curve_concurrency=1,
    rls_iterations=5,
    profile_seconds=0.5,
    only=("login", "dashboard", "autosave"),
    loadgen="py",
)


@dataclass
class Scenario:
    key: str
    title: str
    route: str  # Ordena's route path, to see whether it is built yet
    request: Request
    target: bool = True  # held to the §9 targets
    status: str = "measured"
    note: str = ""
    # (concurrency) -> list of (ordena, floor) per round
    pairs: dict[int, list[tuple[Result, Result]]] = field(default_factory=dict)
    peak_rss_kib: int = 0
    floor_peak_rss_kib: int = 0


@dataclass
class Context:
    mode: Mode
    settings: Settings
    owner_dsn: str
    app_dsn: str
    work: Path
    main_slug: str = ""
    main_tenant: uuid.UUID | None = None
    curve_slug: str = ""
    curve_tenant: uuid.UUID | None = None
    open_assessment: uuid.UUID | None = None
    open_assessments: list[uuid.UUID] = field(default_factory=list)
    published_assessment: uuid.UUID | None = None
    board_plan: uuid.UUID | None = None
    curve_plan: uuid.UUID | None = None
    progress_assessment: uuid.UUID | None = None
    contact_assessment: uuid.UUID | None = None
    contact_cookie: str = ""
    generate_assessment: uuid.UUID | None = None
    plan_dimensions: int = 0
    dimension_key: str = ""
    question_ids: list[uuid.UUID] = field(default_factory=list)
    consultant_email: str = ""
    owner_email: str = ""
    owner_cookie: str = ""
    network_slug: str = ""
    data_phases: list[tuple[str, ScaleReport]] = field(default_factory=list)
    firms_total: int = 0
    cookie: str = ""
    csrf: str = ""
    api_token: str = ""
    startup: dict[str, tuple[float, int]] = field(default_factory=dict)  # name -> (seconds, idle RSS KiB)
    log: list[str] = field(default_factory=list)

    def say(self, msg: str) -> None:
        line = f"[bench {time.strftime('%H:%M:%S')}] {msg}"
        print(line, flush=True)
        self.log.append(line)


# ---------------------------------------------------------------------------------------------
# database


def _free_port(start: int = 8100, end: int = 8199) -> int:
    ports = list(range(start, end + 1))
    random.shuffle(ports)
    for port in ports:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8100-8199")


async def create_database(server_url: str) -> str:
    name = f"ordena_bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(asyncpg_dsn(server_url))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base, _sep, _db = server_url.rpartition("/")
    return f"{base}/{name}"


async def drop_database(url: str) -> None:
    base, _sep, name = url.rpartition("/")
    conn = await asyncpg.connect(asyncpg_dsn(f"{base}/postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def bench_settings(database_url: str, data_dir: Path) -> Settings:
    return Settings(
        environment="bench",
        secret_key=SECRET,
        database_url=database_url,
        app_db_role=APP_ROLE,
        data_dir=data_dir,
        log_json=True,
        log_level="WARNING",
        stripe_secret_key=STRIPE_KEY,
        stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_api_base=STRIPE_API_BASE,
    )


def dsns(settings: Settings) -> tuple[str, str]:
    from ordena.db.urls import app_url, owner_url

    owner = owner_url(settings)
    return (
        asyncpg_dsn(owner.render_as_string(hide_password=False)),
        asyncpg_dsn(app_url(settings, owner).render_as_string(hide_password=False)),
    )


async def owner_conn(ctx: Context) -> asyncpg.Connection:
    conn = await asyncpg.connect(ctx.owner_dsn)
    if await conn.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"):
        await conn.execute("SET session_replication_role = replica")
    return conn


async def make_data(ctx: Context) -> None:
    from ordena.accounts.passwords import hash_password

    m = ctx.mode
    pw = hash_password(PASSWORD)
    tag = uuid.uuid4().hex[:6]
    conn = await owner_conn(ctx)
    try:
        main = await generate(
            conn,
            ScaleSpec(
                firms=1,
                companies=m.main_companies,
                assessments=1,
                answer_fraction=1.0,
                slug_prefix=f"bench-{tag}-main",
                password_hash=pw,
                open_assessments=min(40, m.main_companies),  # autosave spread like real respondents
            ),
        )
        ctx.data_phases.append(
            (f"main firm: {m.main_companies} companies, 1 published assessment each with answers", main)
        )
        firm = main.firms[0]
        ctx.main_slug, ctx.main_tenant = firm.slug, firm.tenant_id
        ctx.consultant_email = firm.emails["consultant"]
        ctx.owner_email = firm.emails["owner"]
        ctx.open_assessment = firm.open_assessment_ids[0]
        ctx.open_assessments = list(firm.open_assessment_ids)
        curve = await generate(
            conn,
            ScaleSpec(
                firms=1,
                companies=m.companies_curve[0],
                assessments=1,
                answer_fraction=0.3,
                slug_prefix=f"bench-{tag}-curve",
                password_hash=pw,
                open_assessments=0,
            ),
        )
        ctx.data_phases.append((f"curve firm: {m.companies_curve[0]} companies", curve))
        ctx.curve_slug, ctx.curve_tenant = curve.firms[0].slug, curve.firms[0].tenant_id
        ctx.curve_plan = (await make_plan_data(conn, ctx.curve_tenant, None)).board_plan
        ctx.firms_total = await conn.fetchval("SELECT count(*) FROM tenant")
        await grow_firms(ctx, conn, m.firms_curve[0], pw)
        version = await find_assessment_targets(ctx, conn)
        assert ctx.main_tenant is not None
        plans = await make_plan_data(conn, ctx.main_tenant, ctx.published_assessment)
        ctx.board_plan, ctx.generate_assessment, ctx.plan_dimensions = (
            plans.board_plan,
            plans.generate_assessment,
            plans.dimensions,
        )
        baseline = await conn.fetchval("SELECT assessment_id FROM plan WHERE id = $1", ctx.board_plan)
        ctx.progress_assessment = await make_reassessment(conn, ctx.main_tenant, baseline)
        contact = await make_contact_session(conn, ctx.main_tenant, ctx.open_assessments[-1])
        ctx.contact_assessment, ctx.contact_cookie = contact.assessment_id, contact.cookie
        network = await make_network(conn, ctx.settings, ctx.main_tenant, ctx.consultant_email, tag)
        ctx.network_slug = network.slug
        ctx.firms_total = await conn.fetchval("SELECT count(*) FROM tenant")  # the network's firms count too
        for line in network.release_lines:
            ctx.say(f"  network {network.slug}: {line}")
        ctx.dimension_key = await conn.fetchval(
            "SELECT key FROM fw_dimension WHERE version_id = $1 ORDER BY position LIMIT 1", version
        )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


async def find_assessment_targets(ctx: Context, conn: asyncpg.Connection) -> uuid.UUID:
    """The main firm's latest published assessment and the questions of its open one (whose
    framework version is returned), read from the generated data."""
    ctx.published_assessment = await conn.fetchval(
        "SELECT id FROM assessment WHERE tenant_id = $1 AND status = 'published' ORDER BY created_at DESC LIMIT 1",
        ctx.main_tenant,
    )
    version: uuid.UUID = await conn.fetchval(
        "SELECT framework_version_id FROM assessment WHERE tenant_id = $1 AND id = $2",
        ctx.main_tenant,
        ctx.open_assessment,
    )
    ctx.question_ids = [
        r["id"]
        for r in await conn.fetch(
            "SELECT q.id FROM fw_question q JOIN fw_dimension d ON d.id = q.dimension_id "
            "WHERE d.version_id = $1 ORDER BY d.position, q.position",
            version,
        )
    ]
    return version


async def grow_firms(ctx: Context, conn: asyncpg.Connection, total: int, pw: str) -> None:
    missing = total - ctx.firms_total
    if missing <= 0:
        return
    rep = await generate(
        conn,
        ScaleSpec(
            firms=missing,
            companies=ctx.mode.filler_companies,
            assessments=1,
            answer_fraction=0.2,
            open_assessments=0,
            slug_prefix=f"fill-{uuid.uuid4().hex[:6]}",
            password_hash=pw,
            seed=None,
        ),
    )
    ctx.data_phases.append(
        (f"{missing} more firms ({ctx.mode.filler_companies} companies each, 20% with answers)", rep)
    )
    ctx.firms_total = total


async def grow_companies(ctx: Context, conn: asyncpg.Connection, total: int) -> None:
    have = await conn.fetchval("SELECT count(*) FROM company WHERE tenant_id = $1", ctx.curve_tenant)
    if total > have:
        assert ctx.curve_tenant is not None
        rep = await add_companies(
            conn, ctx.curve_tenant, total - have, ScaleSpec(assessments=1, answer_fraction=0.3, open_assessments=0)
        )
        ctx.data_phases.append((f"curve firm grown to {total} companies", rep))


# ---------------------------------------------------------------------------------------------
# sessions


def browser_login(ctx: Context, base_url: str) -> None:
    """Sign in like a browser: the login form's CSRF token with the anonymous cookie, then the
    session cookie and the session's CSRF token from a page (the consultant; the firm's owner
    for the billing page)."""
    ctx.cookie, ctx.csrf = _sign_in(ctx, base_url, ctx.consultant_email)
    if ctx.owner_email:
        ctx.owner_cookie, _csrf = _sign_in(ctx, base_url, ctx.owner_email)


def _sign_in(ctx: Context, base_url: str, email: str) -> tuple[str, str]:
    with httpx.Client(base_url=base_url, headers={"sec-fetch-site": "same-origin", "origin": base_url}) as c:
        page = c.get("/login")
        token = CSRF_RE.search(page.text)
        assert token, page.text[:500]
        r = c.post("/login", data={"_csrf": token.group(1), "email": email, "password": PASSWORD, "next": "/"})
        assert r.status_code in (302, 303), (r.status_code, r.text[:500])
        session = next(v for k, v in c.cookies.items() if k.endswith("ordena_session"))
        cookie = f"ordena_session={session}"
        page = c.get(f"/w/{ctx.main_slug}", headers={"cookie": cookie})
        found = CSRF_RE.search(page.text)
        assert found, page.text[:500]
        return cookie, found.group(1)


async def publish_snapshot(ctx: Context) -> None:
    """The results scenario's assessment gets the whole document publishing stores
    (``lifecycle._store_snapshot``: ``compute_results`` → ``result_document``); the bulk data
    generator writes only each snapshot's dimension scores."""
    from sqlalchemy import text

    from ordena.assessments.results import compute_results, result_document
    from ordena.db.engine import Database

    database = Database.connect(ctx.settings)
    try:
        async with database.session(tenant_id=ctx.main_tenant) as db:
            assert ctx.main_tenant is not None and ctx.published_assessment is not None
            results = await compute_results(db, ctx.main_tenant, ctx.published_assessment)
            await db.execute(
                text("UPDATE result_snapshot SET data = CAST(:d AS jsonb) WHERE tenant_id = :t AND assessment_id = :a"),
                {"d": json.dumps(result_document(results)), "t": ctx.main_tenant, "a": ctx.published_assessment},
            )
            await db.commit()
    finally:
        await database.dispose()


async def make_api_token(ctx: Context) -> None:
    from ordena.accounts import api_tokens
    from ordena.db.engine import Database

    database = Database.connect(ctx.settings)
    try:
        async with database.session() as db:
            from sqlalchemy import text

            user_id = await db.scalar(text("SELECT id FROM user_account WHERE email = :e"), {"e": ctx.consultant_email})
            secret, _row = await api_tokens.create(db, user_id, "bench")
            await db.commit()
        ctx.api_token = secret
    finally:
        await database.dispose()


async def _firms_are_paying(ctx: Context) -> None:
    conn = await asyncpg.connect(ctx.owner_dsn)
    try:
        await firms_are_paying(conn)
    finally:
        await conn.close()


def generate_once(ctx: Context, base_url: str) -> None:
    """The plan_generate scenario measures generating again: the first generation (201) happens here."""
    r = httpx.post(
        f"{base_url}/api/v1/w/{ctx.main_slug}/assessments/{ctx.generate_assessment}/plan",
        headers={"authorization": f"Bearer {ctx.api_token}", "accept": "application/json"},
        timeout=60,
    )
    if r.status_code not in (200, 201):
        ctx.say(f"plan_generate: first generation answered {r.status_code}: {r.text[:200]}")
        return
    ctx.say(f"plan generated once: {len(r.json().get('initiatives', []))} initiatives ({r.status_code})")


# ---------------------------------------------------------------------------------------------
# scenarios


def scenarios(ctx: Context, ordena_url: str) -> list[Scenario]:
    slug, a_open, a_pub = ctx.main_slug, ctx.open_assessment, ctx.published_assessment
    page = {"cookie": ctx.cookie, "accept": "text/html"}
    api = {"authorization": f"Bearer {ctx.api_token}", "accept": "application/json"}
    htmx = {
        "cookie": ctx.cookie,
        "hx-request": "true",
        "hx-current-url": f"{ordena_url}/w/{slug}/assessments/{a_open}/q/{ctx.dimension_key}",
        "x-csrf-token": ctx.csrf,
        "origin": ordena_url,
        "sec-fetch-site": "same-origin",
        "content-type": "application/x-www-form-urlencoded",
    }
    # Each save goes to one of the firm's open assessments (one consultant each at a time in real life),
    # a random question and level: "PATH<TAB>BODY" lines for bench.lua / pyload.py.
    rnd = random.Random(7)
    bodies = [
        f"/w/{slug}/assessments/{aid}/answers\t"
        + urlencode({"question_id": str(rnd.choice(ctx.question_ids)), "level": str(rnd.randint(1, 5))})
        for aid in (ctx.open_assessments or [a_open])
        for _ in range(10)
    ]
    return [
        # First: its deliveries are signed now and Stripe's tolerance is 5 minutes.
        Scenario(
            "webhook",
            "Stripe webhook (signed, a new event each)",
            "/billing/stripe/webhook",
            Request("POST", "/billing/stripe/webhook", {"content-type": "application/json"}, signed_deliveries()),
            note="Signature checked on the raw body, the event id stored once and its job written to the "
            "outbox in one statement, 200 at once (the job itself runs in the worker).",
        ),
        Scenario(
            "login", "Login page (anonymous)", "/login", Request("GET", "/login", {"accept": "text/html"}), target=False
        ),
        Scenario("dashboard", "Consultant dashboard", "/w/{}", Request("GET", f"/w/{slug}", page)),
        Scenario("members", "Members page", "/w/{}/members", Request("GET", f"/w/{slug}/members", page)),
        Scenario(
            "companies", "Company list (500 companies)", "/w/{}/companies", Request("GET", f"/w/{slug}/companies", page)
        ),
        Scenario(
            "questionnaire",
            "Questionnaire page (one dimension)",
            "/w/{}/assessments/{}/q/{}",
            Request("GET", f"/w/{slug}/assessments/{a_open}/q/{ctx.dimension_key}", page),
        ),
        Scenario(
            "contact_questionnaire",
            "Client contact's questionnaire (one dimension)",
            "/c/assessments/{}/q/{}",
            Request(
                "GET",
                f"/c/assessments/{ctx.contact_assessment}/q/{ctx.dimension_key}",
                {"cookie": ctx.contact_cookie, "accept": "text/html"},
            ),
        ),
        Scenario(
            "autosave",
            "Save one answer (htmx POST)",
            "/w/{}/assessments/{}/answers",
            Request("POST", f"/w/{slug}/assessments/{a_open}/answers", htmx, bodies),
        ),
        Scenario(
            "results",
            "Results page",
            "/w/{}/assessments/{}/results",
            Request("GET", f"/w/{slug}/assessments/{a_pub}/results", page),
        ),
        Scenario(
            "plan_board",
            f"Plan board ({BOARD_INITIATIVES} initiatives)",
            "/w/{}/plans/{}/board",
            Request("GET", f"/w/{slug}/plans/{ctx.board_plan}/board", page),
        ),
        Scenario(
            "progress",
            "Progress page (re-assessment against the plan's baseline)",
            "/w/{}/assessments/{}/progress",
            Request("GET", f"/w/{slug}/assessments/{ctx.progress_assessment}/progress", page),
        ),
        Scenario(
            "benchmark",
            "Benchmark view (the results page's peer comparison: picking the industry cohort, htmx)",
            "/w/{}/assessments/{}/results",
            Request(
                "GET",
                f"/w/{slug}/assessments/{a_pub}/results?slice=industry",
                {**page, "hx-request": "true", "hx-current-url": f"{ordena_url}/w/{slug}/assessments/{a_pub}/results"},
            ),
            note="The section the cohort picker swaps in: the assessment's context and the latest release's "
            "cohorts of the slice in one statement, the box chart and the table.",
        ),
        Scenario(
            "network_admin",
            "Network admin dashboard",
            "/n/{}",
            Request("GET", f"/n/{ctx.network_slug}", page),
        ),
        Scenario(
            "billing",
            "Billing page (owner)",
            "/w/{}/billing",
            Request("GET", f"/w/{slug}/billing", {"cookie": ctx.owner_cookie, "accept": "text/html"}),
        ),
        Scenario(
            "plan_generate",
            f"API: generate a plan ({ctx.plan_dimensions} dimensions, again: adds nothing)",
            "/api/v1/w/{}/assessments/{}/plan",
            Request("POST", f"/api/v1/w/{slug}/assessments/{ctx.generate_assessment}/plan", api),
            note="The plan exists (generated once before measuring), so each request is the idempotent "
            "re-generation: results computed, ranked against the library, nothing missing, one audit line, "
            "the plan returned.",
        ),
        Scenario(
            "api_firm",
            "API: firm detail (Bearer)",
            "/api/v1/w/{}",
            Request("GET", f"/api/v1/w/{slug}", api),
            target=False,
        ),
        Scenario(
            "api_companies",
            "API: company list (Bearer)",
            "/api/v1/w/{}/companies",
            Request("GET", f"/api/v1/w/{slug}/companies", api),
        ),
    ]


def measure_startup(ctx: Context, env: dict[str, str], ordena: Server, floor: Server) -> None:
    """Start-up of ``ordena serve`` (the CLI, as deployed: launch to the first answer) and the
    resident memory of each server once up, before any load."""
    ctx.startup["ordena (uvicorn, as measured)"] = (ordena.started_s, ordena.rss_kib().get("VmRSS", 0))
    ctx.startup["floor (uvicorn)"] = (floor.started_s, floor.rss_kib().get("VmRSS", 0))
    port = _free_port()
    serve = Server(
        "ordena-serve",
        "",
        port,
        {**env, "ORDENA_PORT": str(port), "ORDENA_BASE_URL": f"http://127.0.0.1:{port}"},
        command=[sys.executable, "-m", "ordena", "serve", "--host", "127.0.0.1", "--port", str(port)],
    )
    try:
        serve.start(ctx.work)
        ctx.startup["`ordena serve`"] = (serve.started_s, serve.rss_kib().get("VmRSS", 0))
    except RuntimeError as exc:
        ctx.say(f"ordena serve did not start: {exc}")
    finally:
        serve.stop()
    for name, (secs, rss) in ctx.startup.items():
        ctx.say(f"  start-up {name}: {secs:.2f} s, {rss / 1024:.0f} MiB resident")


def ordena_routes(settings: Settings) -> dict[str, set[str]]:
    """Ordena's route paths (params normalised to ``{}``) → HTTP methods."""
    from ordena.server.app import create_app

    app = create_app(settings)
    out: dict[str, set[str]] = {}
    for route in app.routes:
        path = re.sub(r"\{[^}]+\}", "{}", route.path)
        methods = set(getattr(route, "methods", set()) or set())
        out.setdefault(path, set()).update(methods)
    return out


def first_request(req: Request) -> tuple[str, str | None, dict[str, str]]:
    """The path, body and own headers of the request's first variant."""
    if not req.bodies:
        return req.path, None, {}
    path, tab, body = req.bodies[0].partition("\t")
    body, tab2, header = body.partition("\t")
    name, _colon, value = header.partition(": ")
    return (path, body, {name: value} if tab2 else {}) if tab else (req.path, req.bodies[0], {})


def probe(server: Server, req: Request) -> tuple[int, str]:
    path, body, own = first_request(req)
    r = httpx.request(req.method, server.url + path, headers={**req.headers, **own}, content=body, timeout=30)
    return r.status_code, r.text[:300]


def database_cpu(ctx: Context, application_name: str) -> dict[str, float] | None:
    """User + system CPU used so far by each PostgreSQL backend serving one app (by pid). Only
    when PostgreSQL runs on this machine and /proc is readable."""
    proc = subprocess.run(
        [
            "psql",
            ctx.owner_dsn,
            "-Atc",
            f"SELECT pid FROM pg_stat_activity WHERE application_name = '{application_name}'",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return None
    found: dict[str, float] = {}
    for pid in proc.stdout.split():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue  # ended since the query
        found[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return found


def database_cpu_used(before: dict[str, float] | None, after: dict[str, float] | None) -> float | None:
    """CPU the app's backends used between two readings: backends seen twice count their
    difference, backends that started in between count all of theirs. A backend that ended in
    between is lost (pools keep theirs open during a run)."""
    if before is None or after is None:
        return None
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def measure(ctx: Context, sc: Scenario, ordena: Server, floor: Server) -> None:
    m = ctx.mode
    if m.warmup:
        for s in (floor, ordena):
            run_load(s.url, sc.request, connections=max(m.concurrencies), duration=m.warmup, work_dir=ctx.work)
    for conc in m.concurrencies:
        ordena.reset_peak_rss()
        floor.reset_peak_rss()
        pairs: list[tuple[Result, Result]] = []
        for rnd in range(m.rounds):
            order = (ordena, floor) if rnd % 2 == 0 else (floor, ordena)
            got: dict[str, Result] = {}
            for s in order:
                app_name = "ordena" if s.name == "ordena" else "ordena-floor"
                cpu_before, db_before = s.cpu_seconds(), database_cpu(ctx, app_name)
                res = run_load(s.url, sc.request, connections=conc, duration=m.duration, work_dir=ctx.work)
                if res.requests:
                    res.cpu_ms = (s.cpu_seconds() - cpu_before) * 1000 / res.requests
                    db_used = database_cpu_used(db_before, database_cpu(ctx, app_name))
                    if db_used is not None:
                        res.db_cpu_ms = db_used * 1000 / res.requests
                got[s.name] = res
                if res.errors:
                    kinds = {k: res.raw[k] for k in ("connect", "read", "write", "status", "timeout") if res.raw.get(k)}
                    ctx.say(f"  {sc.key} c={conc}: {s.name} errors {kinds}")
            pairs.append((got["ordena"], got["floor"]))
        sc.pairs[conc] = pairs
        sc.peak_rss_kib = max(sc.peak_rss_kib, ordena.rss_kib().get("VmHWM", 0))
        sc.floor_peak_rss_kib = max(sc.floor_peak_rss_kib, floor.rss_kib().get("VmHWM", 0))
        o = statistics.median(p[0].rps for p in pairs)
        f = statistics.median(p[1].rps for p in pairs)
        ctx.say(
            f"  {sc.key} c={conc}: ordena {o:.0f} rps / floor {f:.0f} rps = {o / f if f else 0:.0%}, "
            f"ordena p99 {statistics.median(p[0].p99_ms for p in pairs):.1f} ms, server CPU per request "
            f"ordena {statistics.median(p[0].cpu_ms for p in pairs):.2f} ms / floor "
            f"{statistics.median(p[1].cpu_ms for p in pairs):.2f} ms, database CPU per request ordena "
            f"{statistics.median(p[0].db_cpu_ms for p in pairs):.2f} ms / floor "
            f"{statistics.median(p[1].db_cpu_ms for p in pairs):.2f} ms"
        )


@dataclass
class CurvePoint:
    axis: str  # companies | firms
    x: int
    page: str
    pairs: list[tuple[Result, Result]]


def measure_curves(ctx: Context, ordena: Server, floor: Server, routes: dict[str, set[str]]) -> list[CurvePoint]:
    m = ctx.mode
    points: list[CurvePoint] = []
    page = {"cookie": ctx.cookie, "accept": "text/html"}

    async def grow(kind: str, n: int) -> None:
        conn = await owner_conn(ctx)
        try:
            from ordena.accounts.passwords import hash_password

            if kind == "companies":
                await grow_companies(ctx, conn, n)
            else:
                await grow_firms(ctx, conn, n, hash_password(PASSWORD))
            await conn.execute("ANALYZE")
        finally:
            await conn.close()

    def run(axis: str, x: int, slug: str) -> None:
        plan = ctx.curve_plan if slug == ctx.curve_slug else ctx.board_plan
        for name, route, path in (
            ("dashboard", "/w/{}", f"/w/{slug}"),
            ("companies", "/w/{}/companies", f"/w/{slug}/companies"),
            ("plan_board", "/w/{}/plans/{}/board", f"/w/{slug}/plans/{plan}/board"),
        ):
            if route not in routes or (m.only and not m.curves_only and name not in m.only):
                continue
            req = Request("GET", path, page)
            if probe(ordena, req)[0] != 200:
                continue
            pairs = []
            for rnd in range(m.curve_rounds):
                order = (ordena, floor) if rnd % 2 == 0 else (floor, ordena)
                got = {
                    s.name: run_load(
                        s.url, req, connections=m.curve_concurrency, duration=m.duration, work_dir=ctx.work
                    )
                    for s in order
                }
                pairs.append((got["ordena"], got["floor"]))
            points.append(CurvePoint(axis, x, name, pairs))
            ctx.say(
                f"  curve {axis}={x} {name}: ordena {statistics.median(p[0].rps for p in pairs):.0f} rps, "
                f"p99 {statistics.median(p[0].p99_ms for p in pairs):.1f} ms"
            )

    # The consultant of the main firm is made a member of the curve firm as well.
    for n in m.companies_curve:
        asyncio.run(grow("companies", n))
        run("companies", n, ctx.curve_slug)
    for n in m.firms_curve:
        asyncio.run(grow("firms", n))
        run("firms", n, ctx.main_slug)
    return points


async def join_curve_firm(ctx: Context) -> None:
    conn = await owner_conn(ctx)
    try:
        from ordena.demo.scale import uuid7

        user_id = await conn.fetchval("SELECT id FROM user_account WHERE email = $1", ctx.consultant_email)
        await conn.execute(
            "INSERT INTO membership (tenant_id, id, user_id, role, created_at, updated_at) VALUES ($1, $2, $3, 'CONSULTANT', now(), now())",
            ctx.curve_tenant,
            uuid7(),
            user_id,
        )
    finally:
        await conn.close()


# ---------------------------------------------------------------------------------------------
# RLS overhead (direct asyncpg, no web stack)


@dataclass
class RlsCase:
    title: str
    app_us: list[float]
    owner_us: list[float]
    owner_ctx_us: list[float]
    # PostgreSQL's CPU per transaction (the backend's on-CPU time), µs; empty when the server's
    # processes are not readable here (PostgreSQL on another machine)
    app_cpu_us: list[float] = field(default_factory=list)
    owner_cpu_us: list[float] = field(default_factory=list)
    owner_ctx_cpu_us: list[float] = field(default_factory=list)


def _backend_cpu_ns(pid: int) -> int | None:
    """Time the backend has spent on a CPU so far (ns; /proc/<pid>/schedstat's first field)."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


async def measure_rls(ctx: Context) -> list[RlsCase]:
    m = ctx.mode
    # The three columns take turns on one backend of the owner (a superuser), the app role's by
    # ``SET LOCAL ROLE`` with the context, so that PostgreSQL applies its policies and privilege
    # checks exactly as for a login of the app role. A column per connection measured the
    # connections as much as RLS: on this shared machine the same transaction as the same role
    # on two connections read −12 %, −6 % and 0 % apart in three runs; and with the owner's two
    # columns sharing one backend, that backend ran two transactions in a row two times out of
    # three while the app role's never did. Every column sends the same statements (BEGIN, SET
    # LOCAL ROLE, the statement, COMMIT), with or without the context; the app role's statement
    # under its own text, so that its cached plan (RLS applied) is never replanned for the owner.
    conn = await asyncpg.connect(ctx.owner_dsn)
    app_role = ctx.settings.app_db_role
    owner_role = await conn.fetchval("SELECT current_user")
    from ordena.db.engine import context_sql
    from ordena.demo.scale import uuid7
    from tests.perf import floor_app as fa

    respondent = await conn.fetchval(fa.SQL_RESPONDENT, ctx.main_tenant, ctx.open_assessment)
    big = ctx.curve_tenant
    big_n = await conn.fetchval("SELECT count(*) FROM company WHERE tenant_id = $1", big)
    fa_version = await conn.fetchval(
        "SELECT framework_version_id FROM assessment WHERE tenant_id = $1 AND id = $2",
        ctx.main_tenant,
        ctx.published_assessment,
    )
    qids = ctx.question_ids
    # (title, tenant, run(tag, tenant)): ``tag`` prefixes the statement's text
    cases: list[tuple[str, uuid.UUID, Any]] = [
        (
            "company list page (50 of 500, ORDER BY name)",
            ctx.main_tenant,
            lambda tag, t: conn.fetch(tag + fa.SQL_COMPANY_PAGE, t, 50, 0),
        ),
        (f"company count ({big_n:,} companies)", big, lambda tag, t: conn.fetchval(tag + fa.SQL_COMPANY_COUNT, t)),
        (
            "answer upsert (INSERT … ON CONFLICT DO UPDATE)",
            ctx.main_tenant,
            lambda tag, t: conn.fetchval(
                tag + fa.SQL_UPSERT,
                t,
                uuid7(),
                ctx.open_assessment,
                respondent,
                random.choice(qids),
                random.randint(1, 5),
            ),
        ),
        (
            "results aggregate (answers by dimension)",
            ctx.main_tenant,
            lambda tag, t: conn.fetch(tag + fa.SQL_RESULTS, t, ctx.published_assessment, fa_version),
        ),
    ]
    user = uuid.uuid4()
    out: list[RlsCase] = []
    pid = conn.get_server_pid()
    last_cpu = [_backend_cpu_ns(pid)]

    async def one(tenant: uuid.UUID, fn: Any, role: str, set_ctx: bool) -> tuple[float, float | None]:
        # As Ordena does on both paths (ordena.db.engine, ordena.db.request_db): the tenant
        # context goes with BEGIN in one simple-query round trip.
        t0 = time.perf_counter()
        await conn.execute(
            "BEGIN ISOLATION LEVEL READ COMMITTED"
            + (f"; {context_sql(tenant, user)}" if set_ctx else "")
            + f'; SET LOCAL ROLE "{role}"'
        )
        try:
            await fn(f"/* {role} */ ", tenant)
        finally:
            await conn.execute("COMMIT")
        wall = (time.perf_counter() - t0) * 1e6
        # The backend's CPU since the previous transaction's end: its idle-time chores
        # (statistics reports) land in the next sample instead of being lost.
        now, before = _backend_cpu_ns(pid), last_cpu[0]
        last_cpu[0] = now
        return wall, (now - before) / 1e3 if now is not None and before is not None else None

    try:
        for title, tenant, fn in cases:
            case = RlsCase(title, [], [], [])
            runs = [
                (case.app_us, case.app_cpu_us, app_role, True),
                (case.owner_us, case.owner_cpu_us, owner_role, False),
                (case.owner_ctx_us, case.owner_ctx_cpu_us, owner_role, True),
            ]
            for _ in range(max(1, m.rls_iterations // 20)):  # warm-up: plans cached
                for _sink, _cpu_sink, role, set_ctx in runs:
                    await one(tenant, fn, role, set_ctx)
            for i in range(m.rls_iterations):  # interleaved, rotating order: drift hits all three alike
                for k in range(3):
                    sink, cpu_sink, role, set_ctx = runs[(i + k) % 3]
                    wall, cpu = await one(tenant, fn, role, set_ctx)
                    sink.append(wall)
                    if cpu is not None:
                        cpu_sink.append(cpu)
            out.append(case)
    finally:
        await conn.close()
    return out


# ---------------------------------------------------------------------------------------------
# SQL per request (Ordena in-process, one request per scenario)

# Statements the floor sends for each page (besides BEGIN/COMMIT), by construction.
FLOOR_STATEMENTS = {
    "login": 0,
    "dashboard": 12,
    "members": 5,
    "companies": 6,
    "questionnaire": 9,
    "autosave": 7,
    "results": 7,
    "api_firm": 5,
    "api_companies": 7,
    "plan_board": 8,
    "contact_questionnaire": 7,
    "progress": 9,
    "plan_generate": 13,
    "webhook": 1,
    "benchmark": 5,
    "network_admin": 9,
    "billing": 8,
}


async def count_statements(ctx: Context, scs: list[Scenario], ordena_url: str) -> dict[str, dict[str, Any]]:
    """One request of each measured scenario through Ordena in this process, counting what reaches
    PostgreSQL: the ORM's statements (SQLAlchemy's cursor events) and what goes to asyncpg directly
    (asyncpg's query logger, which sees BEGIN/COMMIT and simple queries but not the prepared
    statements SQLAlchemy runs), and the pool checkouts."""
    import dataclasses

    from litestar.testing import AsyncTestClient
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.pool import Pool

    from ordena.server.app import create_app

    settings = dataclasses.replace(ctx.settings, base_url=ordena_url)
    app = create_app(settings, start_jobs=False)
    seen: list[str] = []
    checkouts = [0]
    logged: set[int] = set()

    def on_query(record: Any) -> None:
        seen.append(" ".join(str(record.query).split()))

    def on_exec(_conn: Any, _cursor: Any, statement: str, *_a: Any) -> None:
        seen.append(" ".join(statement.split()))

    def on_checkout(dbapi_connection: Any, *_a: Any) -> None:
        checkouts[0] += 1
        raw = dbapi_connection.driver_connection
        if id(raw) not in logged:
            logged.add(id(raw))
            raw.add_query_logger(on_query)

    event.listen(Pool, "checkout", on_checkout)
    event.listen(Engine, "before_cursor_execute", on_exec)
    out: dict[str, dict[str, Any]] = {}
    try:
        async with AsyncTestClient(app=app, base_url=ordena_url) as client:
            for sc in scs:
                if sc.status != "measured":
                    continue
                for _ in range(2):  # the second request is the one counted (caches warm)
                    seen.clear()
                    checkouts[0] = 0
                    path, body, own = first_request(sc.request)
                    headers = {**sc.request.headers, **own}
                    r = await client.request(sc.request.method, path, headers=headers, content=body)
                statements = [
                    q
                    for q in seen
                    if q.upper().rstrip(";")
                    not in ("BEGIN", "COMMIT", "ROLLBACK", "BEGIN ISOLATION LEVEL READ COMMITTED")
                ]
                out[sc.key] = {
                    "status": r.status_code,
                    "statements": statements,
                    "round_trips": len(seen),
                    "checkouts": checkouts[0],
                    "floor": FLOOR_STATEMENTS.get(sc.key),
                }
    finally:
        event.remove(Pool, "checkout", on_checkout)
        event.remove(Engine, "before_cursor_execute", on_exec)
    return out


# ---------------------------------------------------------------------------------------------
# profile


def profile(ctx: Context, sc: Scenario, env: dict[str, str]) -> dict[str, Any]:
    port = _free_port()
    out = str(ctx.work / f"profile-{sc.key}")
    env = {**env, "ORDENA_BASE_URL": f"http://127.0.0.1:{port}"}
    server = Server("ordena-profiled", "ordena.server.asgi:app", port, env, profile_out=out)
    server.start(ctx.work)
    try:
        req = sc.request
        if "origin" in req.headers:
            req = Request(req.method, req.path, {**req.headers, "origin": server.url}, req.bodies)
        conc = 8 if 8 in ctx.mode.concurrencies else ctx.mode.concurrencies[-1]
        run_load(server.url, req, connections=conc, duration=max(0.2, ctx.mode.warmup), work_dir=ctx.work)
        assert server.proc is not None
        server.proc.send_signal(signal.SIGUSR1)
        res = run_load(server.url, req, connections=conc, duration=ctx.mode.profile_seconds, work_dir=ctx.work)
        server.proc.send_signal(signal.SIGUSR2)
        done = out + (".pstats" if os.environ.get("BENCH_CPROFILE") else ".json")
        deadline = time.monotonic() + 120
        while not Path(done).exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(0.5)
    finally:
        server.stop()
    if os.environ.get("BENCH_CPROFILE"):
        buf = io.StringIO()
        pstats.Stats(done, stream=buf).sort_stats("cumulative").print_stats(70)
        text = f"cProfile, {res.requests} requests under the profiler\n{buf.getvalue()}"
        Path(out + ".pstats.txt").write_text(text)
        ctx.say(f"  deterministic profile: {out}.pstats.txt")
        return {
            "by_library": {},
            "top_functions": [],
            "text": text,
            "scenario": sc.title,
            "concurrency": conc,
            "rps_under_profiler": res.rps,
            "duration": 0.0,
        }
    data: dict[str, Any] = json.loads(Path(out + ".json").read_text())
    data["text"] = Path(out + ".txt").read_text()
    data["scenario"] = sc.title
    data["concurrency"] = conc
    data["rps_under_profiler"] = res.rps
    return data


# ---------------------------------------------------------------------------------------------


def machine_info(ctx: Context) -> dict[str, str]:
    def cmd(*args: str) -> str:
        try:
            return subprocess.run(args, capture_output=True, text=True, timeout=10, check=False).stdout.strip()
        except OSError:
            return "?"

    cpu = "?"
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        )
    mem = "?"
    try:
        kib = int(
            next(ln.split()[1] for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal"))
        )
        mem = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        pass
    import importlib.metadata as md

    def v(pkg: str) -> str:
        try:
            return md.version(pkg)
        except md.PackageNotFoundError:
            return "-"

    pg = "?"
    try:

        async def _pg() -> str:
            c = await asyncpg.connect(ctx.owner_dsn)
            try:
                return str(await c.fetchval("SHOW server_version"))
            finally:
                await c.close()

        pg = asyncio.run(_pg())
    except Exception:  # noqa: S110
        pass
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "mode": ctx.mode.name,
        "cpu": f"{cpu} × {os.cpu_count()}",
        "memory": mem,
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": pg,
        "litestar": v("litestar"),
        "sqlalchemy": v("sqlalchemy"),
        "asyncpg": v("asyncpg"),
        "jinja2": v("jinja2"),
        "uvicorn": v("uvicorn"),
        "uvloop": v("uvloop"),
        "httptools": v("httptools"),
        "load generator": (cmd("wrk", "-v").splitlines() or ["wrk"])[0]
        if have_wrk()
        else f"tests/perf/pyload.py (aiohttp {v('aiohttp')})",
        "git": cmd("git", "-C", str(ROOT), "rev-parse", "--short", "HEAD")
        + (" + uncommitted changes" if cmd("git", "-C", str(ROOT), "status", "--porcelain") else ""),
    }


def run(mode: Mode, *, out: Path, settings: Settings | None = None, keep_db: bool = False) -> Path:
    import logging

    started = time.perf_counter()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if mode.loadgen:
        os.environ["BENCH_LOADGEN"] = mode.loadgen
    work = Path(tempfile.mkdtemp(prefix="ordena-bench-"))
    created_db: str | None = None
    if settings is None:
        server_url = os.environ.get("BENCH_DATABASE_SERVER", "postgresql://postgres@127.0.0.1:5432/postgres")
        created_db = asyncio.run(create_database(server_url))
        settings = bench_settings(created_db, work / "data")
        from ordena.db.migrate import upgrade_async

        print(f"[bench] database {created_db.rpartition('/')[2]}: migrating", flush=True)
        asyncio.run(upgrade_async(settings))
    owner_dsn, app_dsn = dsns(settings)
    ctx = Context(mode, settings, owner_dsn, app_dsn, work)
    servers: list[Server] = []
    try:
        info = machine_info(ctx)
        ctx.say(f"mode {mode.name}; generating data")
        asyncio.run(make_data(ctx))
        asyncio.run(join_curve_firm(ctx))
        asyncio.run(_firms_are_paying(ctx))
        for label, rep in ctx.data_phases:
            ctx.say(f"  {label}: {rep.total_rows:,} rows, {rep.rows_per_second:,.0f} rows/s")
        o_port, f_port = _free_port(), _free_port()
        while f_port == o_port:
            f_port = _free_port()
        ordena_url = f"http://127.0.0.1:{o_port}"
        env = {
            "ORDENA_ENV": "bench",
            "ORDENA_SECRET_KEY": settings.secret_key,
            "ORDENA_DATABASE_URL": settings.database_url,
            "ORDENA_APP_DB_ROLE": settings.app_db_role,
            "ORDENA_APP_DB_PASSWORD": settings.effective_app_db_password,
            "ORDENA_DATA_DIR": str(work / "data"),
            "ORDENA_LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
            "ORDENA_BASE_URL": ordena_url,
            "ORDENA_PORT": str(o_port),
            # As deployed (deploy/, docs/production.md): no job worker threads inside the web process.
            "ORDENA_WORKER_IN_PROCESS": os.environ.get("BENCH_WORKER_IN_PROCESS", "false"),
            **billing_env(),
        }
        ordena = Server("ordena", "ordena.server.asgi:app", o_port, env)
        floor = Server(
            "floor",
            "tests.perf.floor_app:app",
            f_port,
            {
                "BENCH_APP_DSN": app_dsn,
                "BENCH_SECRET": settings.secret_key,
                "BENCH_POOL": str(settings.db_pool_size),
                "BENCH_STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            },
        )
        t0 = time.perf_counter()
        for s in (ordena, floor):
            s.start(work)
            servers.append(s)
        ctx.say(f"servers up in {time.perf_counter() - t0:.1f} s")
        measure_startup(ctx, env, ordena, floor)
        ctx.say(f"ordena on {ordena.url}, floor on {floor.url}")
        browser_login(ctx, ordena.url)
        asyncio.run(make_api_token(ctx))
        asyncio.run(publish_snapshot(ctx))
        generate_once(ctx, ordena.url)
        routes = ordena_routes(settings)
        logging.getLogger("httpx").setLevel(logging.WARNING)
        scs = scenarios(ctx, ordena_url)
        for sc in scs:
            if mode.only and sc.key not in mode.only:
                sc.status = "skipped (scale curves only)" if mode.curves_only else "not asked for (--only)"
                continue
            methods = routes.get(sc.route)
            if methods is None or sc.request.method not in methods:
                sc.status = "not built yet"
                ctx.say(f"{sc.key}: not built yet ({sc.request.method} {sc.route})")
                continue
            status, text = probe(ordena, sc.request)
            fstatus, ftext = probe(floor, sc.request)
            if status != 200 or fstatus != 200:  # a redirect to /login would not be the page
                sc.status = "error"
                sc.note = f"probe: Ordena answered {status}, floor {fstatus}: " + (text if status != 200 else ftext)[
                    :200
                ].replace("\n", " ")
                ctx.say(f"{sc.key}: {sc.note}")
                continue
            ctx.say(f"{sc.key}: measuring")
            measure(ctx, sc, ordena, floor)
        ctx.say("scale curves")
        curves = measure_curves(ctx, ordena, floor, routes)
        ctx.say("RLS overhead")
        rls = asyncio.run(measure_rls(ctx))
        for s in servers:
            s.stop()
        ctx.say("SQL per request")
        try:
            sql = asyncio.run(count_statements(ctx, scs, ordena_url))
        except Exception as exc:  # the report still gets written
            ctx.say(f"  could not count statements: {exc!r}")
            sql = {}
        measured = [s for s in scs if s.status == "measured"]
        prof: list[dict[str, Any]] = []
        if measured:
            slowest = min(measured, key=lambda s: report_mod.median_ratio(s, max(s.pairs)))
            targets = [(slowest, "The scenario with the lowest throughput ratio at the top concurrency.")]
            dash = next((s for s in measured if s.key == "dashboard"), None)
            if dash is not None and dash is not slowest:
                targets.append((dash, "The simplest firm page: the per-request cost of the stack itself."))
            if mode.profile:
                targets = [(s, "Asked for (--profile).") for s in measured if s.key in mode.profile]
            for sc, why in targets:
                ctx.say(f"profiling {sc.key}")
                one = profile(ctx, sc, env)
                one["why"] = why
                prof.append(one)
        elapsed = time.perf_counter() - started
        text = report_mod.render(
            info=info, mode=mode, ctx=ctx, scenarios=scs, curves=curves, rls=rls, prof=prof, elapsed=elapsed, sql=sql
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        if out.resolve() == (ROOT / "docs" / "benchmarks.md").resolve() and not mode.only:
            readme = ROOT / "README.md"
            block = report_mod.readme_table(info=info, mode=mode, scenarios=scs)
            readme.write_text(report_mod.replace_readme_block(readme.read_text(), block))
            ctx.say(f"wrote the Speed table of {readme}")
        ctx.say(f"wrote {out} in {elapsed:.0f} s")
        return out
    finally:
        for s in servers:
            s.stop()
        if created_db and not keep_db:
            asyncio.run(drop_database(created_db))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="fewer rounds and curve points (also BENCH_QUICK=1)")
    p.add_argument("--smoke", action="store_true", help="tiny run that only exercises every part")
    p.add_argument(
        "--scale",
        action="store_true",
        help="only the scale curves, 100 to 10,000 companies per firm and 10 to 1,000 firms (dashboard, company list, plan board)",
    )
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    p.add_argument("--keep-db", action="store_true")
    p.add_argument("--only", default="", help="comma-separated scenario keys to measure (e.g. autosave,companies)")
    p.add_argument("--profile", default="", help="comma-separated scenario keys to profile (default: the slowest)")
    a = p.parse_args()
    mode = (
        SCALE if a.scale else SMOKE if a.smoke else QUICK if (a.quick or os.environ.get("BENCH_QUICK") == "1") else FULL
    )
    if a.only:
        mode = dataclasses.replace(mode, only=tuple(k.strip() for k in a.only.split(",") if k.strip()))
    if a.profile:
        mode = dataclasses.replace(mode, profile=tuple(k.strip() for k in a.profile.split(",") if k.strip()))
    # Reports are measured in the worker function, not under load: their own section (report_bench).
    reports = tuple(k for k in mode.only if k in report_bench.KEYS) if mode.only else report_bench.KEYS
    if not mode.only or set(mode.only) - set(report_bench.KEYS):
        run(mode, out=a.out, keep_db=a.keep_db)
    if reports:
        both = not mode.only or set(mode.only) - set(report_bench.KEYS)
        report_bench.run(reports, a.out if both else ROOT / "docs" / "benchmarks-reports.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
