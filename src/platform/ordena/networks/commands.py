"""What ``ordena networks create`` does, through the networks services. Operator errors come
back as :class:`click.ClickException` (a message, exit code 1), never a traceback."""

from __future__ import annotations

import click

from ordena.accounts import services as accounts
from ordena.db.engine import Database
from ordena.networks import services as networks
from ordena.settings import Settings


async def create_network(
    settings: Settings, *, slug: str, name: str, k: int, min_firms: int, epsilon: str, admins: tuple[str, ...]
) -> list[str]:
    """Create a network and make existing users its admins, atomically; returns what changed."""
    database = Database.connect(settings)
    lines: list[str] = []
    try:
        async with database.session() as db:
            try:
                network = await networks.create_network(
                    db, slug=slug, name=name, min_companies=k, min_firms=min_firms, epsilon=epsilon
                )
            except networks.NetworkInvalid as exc:
                raise click.ClickException(str(exc)) from None
            lines.append(f"network {slug}: created (k={network.min_companies}, ε={network.epsilon})")
            for email in admins:
                user = await accounts.user_by_email(db, email.strip().lower())
                if user is None:
                    raise click.ClickException(f"no user with email {email!r}: create it with `ordena users create`")
                await networks.add_admin(db, network.id, user.id)
                lines.append(f"network {slug}: {user.email} is an admin")
            await db.commit()
    finally:
        await database.dispose()
    return lines
