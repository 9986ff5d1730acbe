"""Every module that declares background jobs (imported when the broker starts)."""

from ordena.assessments import jobs as assessments_jobs
from ordena.companies import jobs as companies_jobs
from ordena.mail import jobs as mail_jobs

__all__ = ["assessments_jobs", "companies_jobs", "mail_jobs"]
