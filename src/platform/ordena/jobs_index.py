"""Every module that declares background jobs (imported when the broker starts)."""

from ordena.mail import jobs as mail_jobs

__all__ = ["mail_jobs"]
