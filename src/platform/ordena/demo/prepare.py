"""``ordena demo``: a ready-to-click Ordena on a fresh machine."""

from __future__ import annotations

import asyncio

import click

from ordena.db import migrate
from ordena.db.engine import Database
from ordena.demo.content import SeedSummary, seed_demo
from ordena.demo.release import release_demo_networks
from ordena.settings import Settings
from ordena.tenancy.manifests import load_manifests, sync_path

DEMO_PASSWORD = "ordena-demo-2026"  # noqa: S105 - fictional demo accounts, written in tenants/demo


def prepare_demo(settings: Settings) -> None:
    migrate.upgrade(settings)
    report = asyncio.run(sync_path(settings, settings.tenants_dir / "demo"))
    for line in report.lines():
        click.echo(f"  {line}")
    firms, networks = load_manifests(settings.tenants_dir / "demo")
    for summary in asyncio.run(seed_content(settings, [f["slug"] for f in firms])):
        click.echo(f"  {summary.line()}")
    for line in asyncio.run(release_demo_networks(settings, [n["slug"] for n in networks])):
        click.echo(f"  {line}")


async def seed_content(settings: Settings, slugs: list[str]) -> list[SeedSummary]:
    """Client companies and assessments for each demo firm that has none yet (see demo_content)."""
    database = Database.connect(settings)
    try:
        return await seed_demo(database, settings, slugs)
    finally:
        await database.dispose()


def print_welcome(settings: Settings) -> None:
    firms, networks = load_manifests(settings.tenants_dir / "demo")
    click.echo("")
    click.secho(f"Ordena is ready: open {settings.base_url}", bold=True)
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for firm in firms:
        for m in firm.get("members", []):
            click.echo(f"  {m['email']:<28} {m['role']:<11} {firm['name']}")
    for net in networks:
        for a in net.get("admins", []):
            click.echo(f"  {a['email']:<28} {'network':<11} {net['name']}")
    if not settings.mail_enabled:
        click.echo(f"Emails are kept at {settings.base_url}/dev/outbox (no SMTP configured).")
    click.echo("Press Ctrl-C to stop.")
