"""The ``ordena`` command: serve, worker, db, tenants, users, tokens, demo."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from ordena.settings import Settings


def _settings() -> Settings:
    return Settings.from_env()


@click.group()
def main() -> None:
    """Ordena: front- and back-office maturity for consulting firms."""


@main.group()
def db() -> None:
    """Database migrations (run as the owner role)."""


@db.command("upgrade")
@click.argument("revision", default="heads")
def db_upgrade(revision: str) -> None:
    from ordena.db import migrate

    migrate.upgrade(_settings(), revision)
    click.echo(f"database upgraded to {revision}")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    from ordena.db import migrate

    migrate.downgrade(_settings(), revision)
    click.echo(f"database downgraded to {revision}")


@db.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--empty", is_flag=True, help="Do not autogenerate from the models.")
def db_revision(message: str, empty: bool) -> None:
    from ordena.db import migrate

    migrate.revision(_settings(), message, autogenerate=not empty)


@main.command()
@click.option("--host", default=None)
@click.option("--port", type=int, default=None)
@click.option("--reload", is_flag=True)
def serve(host: str | None, port: int | None, reload: bool) -> None:
    """Run the web server (and, without a broker, the in-process worker)."""
    import uvicorn

    settings = _settings()
    uvicorn.run(
        "ordena.server.asgi:app",
        host=host or settings.host,
        port=port or settings.port,
        reload=reload,
        log_config=None,
        proxy_headers=True,
        access_log=False,
    )


@main.command()
@click.option("--processes", type=int, default=1)
@click.option("--threads", type=int, default=4)
def worker(processes: int, threads: int) -> None:
    """Run dramatiq workers on the configured broker."""
    from ordena.jobs.runtime import run_workers

    run_workers(_settings(), processes=processes, threads=threads)


@main.group()
def tenants() -> None:
    """Firms and networks from the manifests in tenants/."""


@tenants.command("sync")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True)
def tenants_sync(path: Path | None, dry_run: bool) -> None:
    from ordena.tenancy.manifests import sync_path

    settings = _settings()
    report = asyncio.run(sync_path(settings, path or settings.tenants_dir, dry_run=dry_run))
    for line in report.lines():
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
    from ordena.accounts.commands import create_user

    asyncio.run(create_user(_settings(), email, name, password, firm_slug, role))
    click.echo(f"user {email} ready")


@main.group()
def tokens() -> None:
    """Personal API tokens."""


@tokens.command("create")
@click.option("--email", required=True)
@click.option("--name", default="cli")
def tokens_create(email: str, name: str) -> None:
    from ordena.accounts.commands import create_api_token

    secret = asyncio.run(create_api_token(_settings(), email, name))
    click.echo(secret)


@main.command()
@click.option("--serve/--no-serve", "serve_after", default=False, help="Then run the server.")
def demo(serve_after: bool) -> None:
    """Migrate, load the demo firms and network, print the logins (and optionally serve)."""
    from ordena.demo import prepare_demo, print_welcome

    settings = _settings()
    prepare_demo(settings)
    print_welcome(settings)
    if serve_after:
        serve.callback(host=None, port=None, reload=False)  # type: ignore[misc]
