"""A network admin asks for a release now (DESIGN §11: at most weekly, so that one publication
cannot be isolated by comparing consecutive releases).

The page's rules and messages come first (the last release's date, a request still being
computed); the engine's own ``networks.schedule.request_refresh`` then queues its job in the
request's transaction (it checks the same week again, and that nothing is queued already)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.accounts.models import User
from ordena.accounts.services import actor_of
from ordena.lib.clock import now
from ordena.lib.errors import ServiceError
from ordena.lib.i18n import _, format_date
from ordena.networks import schedule
from ordena.networks.area import latest_release
from ordena.networks.models import Network, NetworkEvent
from ordena.networks.services import record

REFRESH_JOB = schedule.JOB
MIN_INTERVAL = dt.timedelta(days=7)
# A second click while the first request is still being computed is not a second request.
PENDING_WINDOW = dt.timedelta(hours=1)


class RefreshRefused(Exception):
    def __init__(self, message: str, status_code: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


async def request_refresh(db: AsyncSession, network: Network, admin: User) -> None:
    """Queue a refresh of the network's figures; :class:`RefreshRefused` within a week of the
    last release, while one is already being computed, or when no engine can compute it."""
    current = now()
    last = await latest_release(db, network.id)
    if last is not None and current - last.released_at < MIN_INTERVAL:
        raise RefreshRefused(
            _("La última publicación es del {date}; puedes pedir otra desde el {next}.").format(
                date=format_date(last.released_at), next=format_date(last.released_at + MIN_INTERVAL)
            )
        )
    asked = await db.scalar(
        select(NetworkEvent.created_at)
        .where(NetworkEvent.network_id == network.id, NetworkEvent.action == "refresh")
        .order_by(NetworkEvent.created_at.desc())
        .limit(1)
    )
    if asked is not None and current - asked < PENDING_WINDOW and (last is None or last.released_at < asked):
        raise RefreshRefused(_("Ya se pidió una publicación; se está calculando."))
    try:
        await schedule.request_refresh(db, network, admin.id)
    except ServiceError as refused:
        raise RefreshRefused(refused.message) from refused
    record(db, network.id, actor_of(admin), "refresh", "network", network.id)
