"""The ``ordena`` command: serve, worker, db, tenants, users, tokens, demo."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import click
import uvicorn

from ordena.accounts.commands import create_api_token, create_user
from ordena.assessments.jobs import reminders_command
from ordena.db import migrate
from ordena.db.base import Base
from ordena.db.citus import citus_sql
from ordena.db.urls import owner_url
from ordena.demo.network_scale import network_cli
from ordena.demo.prepare import prepare_demo, print_welcome
from ordena.demo.scale import ScaleSpec, run_cli
from ordena.domains import load_jobs, load_models
from ordena.jobs.dead_letters import dead_letters_command
from ordena.jobs.outbox import print_outbox
from ordena.jobs.runtime import run_workers
from ordena.lib.errors import NotFound, ServiceError
from ordena.networks.commands import create_network
from ordena.networks.refresh import refresh_by_slug
from ordena.settings import Settings
from ordena.tenancy.manifests import sync_path


def _settings() -> Settings:
    return Settings.from_env()


@click.group()
def main() -> None:
    """Ordena: front- and back-office maturity for consulting firms."""
    # Every command may touch any table or enqueue any job (a synced manifest sends invitations).
    load_models()
    load_jobs()


@main.group()
def db() -> None:
    """Database migrations (run as the owner role)."""


@db.command("upgrade")
@click.argument("revision", default="heads")
def db_upgrade(revision: str) -> None:
    migrate.upgrade(_settings(), revision)
    click.echo(f"database upgraded to {revision}")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    migrate.downgrade(_settings(), revision)
    click.echo(f"database downgraded to {revision}")


@db.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--empty", is_flag=True, help="Do not autogenerate from the models.")
def db_revision(message: str, empty: bool) -> None:
    migrate.revision(_settings(), message, autogenerate=not empty)


@db.command("citus-sql")
def db_citus_sql() -> None:
    """The SQL that distributes the schema on Citus (deploy/citus/distribute.sql)."""
    click.echo(citus_sql(Base.metadata), nl=False)


# asyncio's own loop, not uvloop. Under uvloop, when 32 clients connect at once their first
# requests are served one loop iteration apart: the last one waited 160 ms on the sign-in page
# (90 ms on the benchmark's floor), which was most of the p99 of a 2-s load round. Under asyncio
# all 32 are served within 12 ms; the floor's throughput is the same on both loops, Ordena's
# within 10 % (measured per connection under wrk -c32; docs/benchmarks.md, "Method").
EVENT_LOOP = "asyncio"


def uvicorn_options(settings: Settings, host: str | None = None, port: int | None = None) -> dict[str, Any]:
    """How ``ordena serve`` runs uvicorn. Proxy headers (the client's address in
    X-Forwarded-For) are believed only from ``ORDENA_TRUSTED_PROXIES``: trusted from any local
    peer, anyone could pick the address that the per-address login limits count."""
    trusted = settings.trusted_proxies
    return {
        "host": host or settings.host,
        "port": port or settings.port,
        "log_config": None,
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted or "",
        "access_log": False,
        "loop": EVENT_LOOP,
    }


def serve_warnings(settings: Settings, host: str) -> list[str]:
    """What an operator must hear before the server starts listening."""
    warnings = []
    if host not in {"127.0.0.1", "::1", "localhost"} and not settings.mail_enabled:
        warnings.append(
            f"WARNING: serving on {host} without SMTP (ORDENA_SMTP_HOST is empty): password-reset, "
            "invitation and sign-in mail is NOT sent, only kept in the database. Configure SMTP "
            "before anyone else uses this server."
        )
    return warnings


@main.command()
@click.option("--host", default=None)
@click.option("--port", type=int, default=None)
@click.option("--reload", is_flag=True)
def serve(host: str | None, port: int | None, reload: bool) -> None:
    """Run the web server (and, without a broker, the in-process worker)."""
    settings = _settings()
    options = uvicorn_options(settings, host, port)
    for warning in serve_warnings(settings, options["host"]):
        click.secho(warning, fg="red", bold=True, err=True)
    uvicorn.run("ordena.server.asgi:app", reload=reload, **options)


@main.command()
@click.option("--processes", type=int, default=1)
@click.option("--threads", type=int, default=4)
@click.option("--relay/--no-relay", default=True, help="Also relay the outbox to the broker.")
def worker(processes: int, threads: int, relay: bool) -> None:
    """Run dramatiq workers on the configured broker (and the outbox relay)."""
    run_workers(_settings(), processes=processes, threads=threads, relay=relay)


@main.group()
def jobs() -> None:
    """Background jobs: the outbox and the dead-letter queues."""


@jobs.command("outbox")
@click.option("--limit", type=int, default=50)
def jobs_outbox(limit: int) -> None:
    """Outbox rows waiting for the broker, and those whose relay keeps failing."""
    asyncio.run(print_outbox(_settings(), limit=limit))


@jobs.command("reminders")
def jobs_reminders() -> None:
    """Email client respondents idle on a self-assessment (run it from cron, e.g. hourly)."""
    click.echo(f"reminders sent: {asyncio.run(reminders_command(_settings()))}")


@jobs.command("dead-letters")
@click.option("--queue", "queues", multiple=True, help="Only these queues (default: every job's queue).")
def jobs_dead_letters(queues: tuple[str, ...]) -> None:
    """Messages that failed every retry (the broker's dead-letter queues)."""
    dead_letters_command(_settings(), queues, retry=False, message_ids=())


@jobs.command("retry-dead")
@click.option("--queue", "queues", multiple=True, help="Only these queues (default: every job's queue).")
@click.argument("message_ids", nargs=-1)
def jobs_retry_dead(queues: tuple[str, ...], message_ids: tuple[str, ...]) -> None:
    """Send dead messages (all, or the MESSAGE_IDS given) back to their queue."""
    dead_letters_command(_settings(), queues, retry=True, message_ids=message_ids)


@main.group()
def tenants() -> None:
    """Firms and networks from the manifests in tenants/."""


@tenants.command("sync")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True)
def tenants_sync(path: Path | None, dry_run: bool) -> None:
    settings = _settings()
    report = asyncio.run(sync_path(settings, path or settings.tenants_dir, dry_run=dry_run))
    for line in report.lines():
        click.echo(line)


@main.group()
def networks() -> None:
    """Networks of allied firms and their benchmark releases."""


@networks.command("create")
@click.option("--slug", required=True)
@click.option("--name", required=True)
@click.option("--k", "k", type=int, default=5, show_default=True, help="Smallest publishable cohort (never below 3).")
@click.option("--min-firms", type=int, default=3, show_default=True)
@click.option("--epsilon", default="1.0", show_default=True, help="Privacy budget per cohort and release (> 0).")
@click.option("--admin", "admins", multiple=True, help="Email of an existing user who administers the network.")
def networks_create(slug: str, name: str, k: int, min_firms: int, epsilon: str, admins: tuple[str, ...]) -> None:
    for line in asyncio.run(
        create_network(_settings(), slug=slug, name=name, k=k, min_firms=min_firms, epsilon=epsilon, admins=admins)
    ):
        click.echo(line)


@main.group()
def users() -> None:
    """User accounts."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--firm", "firm_slug", default=None, help="Add to this firm...")
@click.option("--role", default="consultant", help="...with this role.")
def users_create(email: str, name: str, password: str, firm_slug: str | None, role: str) -> None:
    asyncio.run(create_user(_settings(), email, name, password, firm_slug, role))
    click.echo(f"user {email} ready")


@main.group()
def tokens() -> None:
    """Personal API tokens."""


@tokens.command("create")
@click.option("--email", required=True)
@click.option("--name", default="cli")
def tokens_create(email: str, name: str) -> None:
    secret = asyncio.run(create_api_token(_settings(), email, name))
    click.echo(secret)


@main.command("bench-data")
@click.option("--firms", type=int, default=10, show_default=True)
@click.option("--companies", type=int, default=500, show_default=True, help="Client companies per firm.")
@click.option("--members", type=int, default=5, show_default=True, help="Members per firm.")
@click.option("--assessments", type=int, default=1, show_default=True, help="Published assessments per company.")
@click.option("--answer-fraction", type=float, default=1.0, show_default=True, help="Share of them with answers.")
@click.option("--prefix", default="scale", show_default=True, help="Firm slugs are PREFIX-00000, …")
@click.option("--first-index", type=int, default=0, show_default=True)
@click.option(
    "--network-assessments",
    type=int,
    default=0,
    help="Instead: a network of --firms firms with this many published assessments (bulk SQL; e.g. 1000000).",
)
def bench_data(
    firms: int,
    companies: int,
    members: int,
    assessments: int,
    answer_fraction: float,
    prefix: str,
    first_index: int,
    network_assessments: int = 0,
) -> None:
    """Synthetic firms, members, companies and published assessments in bulk (COPY), for benchmarks.
    Members sign in with the password ``ordena-bench-1``. With ``--network-assessments``: a network
    with consent and participation (``ordena.demo.network_scale``), then ``ordena networks refresh``."""
    if network_assessments > 0:
        url = owner_url(_settings()).render_as_string(hide_password=False)
        made = asyncio.run(network_cli(url, firms, network_assessments, click.echo))
        for line in made.lines():
            click.echo(line)
        return
    spec = ScaleSpec(
        firms=firms,
        companies=companies,
        members=members,
        assessments=assessments,
        answer_fraction=answer_fraction,
        slug_prefix=prefix,
        first_index=first_index,
    )
    url = owner_url(_settings()).render_as_string(hide_password=False)
    report = asyncio.run(run_cli(url, spec, click.echo))
    for line in report.lines():
        click.echo(line)


@main.command()
@click.option("--serve/--no-serve", "serve_after", default=False, help="Then run the server.")
@click.option(
    "--scale",
    type=int,
    default=0,
    help="Also bulk-generate this many synthetic firms (500 companies each; see `ordena bench-data`).",
)
def demo(serve_after: bool, scale: int) -> None:
    """Migrate, load the demo firms and network, print the logins (and optionally serve)."""
    settings = _settings()
    prepare_demo(settings)
    if scale > 0:
        bench_data.callback(  # type: ignore[misc]
            firms=scale, companies=500, members=5, assessments=1, answer_fraction=1.0, prefix="scale", first_index=0
        )
    print_welcome(settings)
    if serve_after:
        serve.callback(host=None, port=None, reload=False)  # type: ignore[misc]


@networks.command("refresh")
@click.argument("slug")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Release date.")
def networks_refresh(slug: str, as_of: dt.datetime | None) -> None:
    """Publish the network's next benchmark release now (the refresh role computes it)."""
    try:
        outcome = asyncio.run(refresh_by_slug(_settings(), slug, as_of.date() if as_of else None))
    except (ServiceError, NotFound) as exc:
        raise click.ClickException(getattr(exc, "message", None) or f"no network {slug!r}") from exc
    for line in outcome.lines():
        click.echo(line)
