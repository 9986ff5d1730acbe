"""Imports every domain's models so that the metadata (Alembic, RLS checks) sees all tables."""

from ordena.accounts import models as accounts_models
from ordena.assessments import models as assessments_models
from ordena.audit import models as audit_models
from ordena.companies import models as companies_models
from ordena.frameworks import models as frameworks_models
from ordena.jobs import models as jobs_models
from ordena.mail import models as mail_models
from ordena.networks import models as networks_models
from ordena.tenancy import models as tenancy_models

__all__ = [
    "accounts_models",
    "assessments_models",
    "audit_models",
    "companies_models",
    "frameworks_models",
    "jobs_models",
    "mail_models",
    "networks_models",
    "tenancy_models",
]
