"""Every route handler of the app, collected from the domains."""

from __future__ import annotations

from typing import Any

from ordena.accounts.routes import ROUTES as ACCOUNTS
from ordena.audit.routes import ROUTES as AUDIT
from ordena.health.routes import ROUTES as HEALTH
from ordena.mail.routes import ROUTES as MAIL
from ordena.tenancy.routes import ROUTES as TENANCY


def all_routes() -> list[Any]:
    return [*HEALTH, *ACCOUNTS, *TENANCY, *AUDIT, *MAIL]
