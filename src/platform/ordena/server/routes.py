"""Every route handler of the app, collected from the domains."""

from __future__ import annotations

from typing import Any

from ordena.accounts.routes import ROUTES as ACCOUNTS
from ordena.api.routes import ROUTES as API
from ordena.assessments.api import ROUTES as ASSESSMENTS_API
from ordena.assessments.routes import ROUTES as ASSESSMENTS
from ordena.audit.routes import ROUTES as AUDIT
from ordena.companies.api import ROUTES as COMPANIES_API
from ordena.companies.routes import ROUTES as COMPANIES
from ordena.frameworks.routes import ROUTES as FRAMEWORKS
from ordena.health.routes import ROUTES as HEALTH
from ordena.jobs.routes import ROUTES as JOBS
from ordena.mail.routes import ROUTES as MAIL
from ordena.reports.routes import ROUTES as REPORTS
from ordena.tenancy.routes import ROUTES as TENANCY


def all_routes() -> list[Any]:
    return [
        *HEALTH,
        *ACCOUNTS,
        *TENANCY,
        *AUDIT,
        *MAIL,
        *API,
        *COMPANIES,
        *COMPANIES_API,
        *JOBS,
        *ASSESSMENTS,
        *ASSESSMENTS_API,
        *FRAMEWORKS,
        *REPORTS,
    ]
