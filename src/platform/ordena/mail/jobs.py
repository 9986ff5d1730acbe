"""The ``send_email`` job: SMTP when configured, otherwise the development outbox keeps it."""

from __future__ import annotations

from email.message import EmailMessage
from uuid import UUID

import aiosmtplib

from ordena.jobs.registry import job
from ordena.jobs.runtime import worker_database, worker_settings
from ordena.lib.clock import now
from ordena.mail.models import Email


@job("send_email", queue_name="mail")
async def send_email(email_id: str) -> None:
    settings = worker_settings()
    async with worker_database().session() as db:
        email = await db.get(Email, UUID(email_id), with_for_update=True)
        if email is None or email.sent_at is not None:
            return  # idempotent: already sent (at-least-once delivery)
        if not settings.mail_enabled:
            return  # kept for the development outbox page
        message = EmailMessage()
        message["From"] = settings.mail_from
        message["To"] = email.to
        message["Subject"] = email.subject
        message.set_content(email.text_body)
        message.add_alternative(email.html_body, subtype="html")
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username or None,
            password=settings.smtp_password or None,
            start_tls=settings.smtp_starttls,
            timeout=20,
        )
        email.sent_at = now()
        await db.commit()
