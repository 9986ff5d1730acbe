"""The ``send_email`` job: SMTP when configured, otherwise the development outbox keeps it."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from uuid import UUID

import aiosmtplib

from ordena.jobs.registry import job
from ordena.jobs.runtime import worker_database, worker_settings
from ordena.lib.clock import now
from ordena.mail.models import Email
from ordena.settings import Settings


def build_message(settings: Settings, email: Email) -> EmailMessage:
    """A multipart/alternative message: plain text first, HTML preferred by mail clients."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = format_datetime(now())
    domain = parseaddr(settings.mail_from)[1].partition("@")[2] or "ordena.local"
    # Stable per stored email: a re-sent copy (at-least-once) is recognisable as the same mail.
    message["Message-ID"] = make_msgid(idstring=str(email.id), domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(email.text_body)
    message.add_alternative(email.html_body, subtype="html")
    return message


@job("send_email", queue_name="mail")
async def send_email(email_id: str) -> None:
    settings = worker_settings()
    database = worker_database()
    async with database.session() as db:
        # The row lock makes a concurrent second delivery wait, then see ``sent_at`` and stop.
        email = await db.get(Email, UUID(email_id), with_for_update=True)
        if email is None or email.sent_at is not None:
            return  # idempotent: already sent (at-least-once delivery)
        if not settings.mail_enabled:
            return  # kept for the development outbox page
        try:
            await aiosmtplib.send(
                build_message(settings, email),
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_username or None,
                password=settings.smtp_password or None,
                start_tls=settings.smtp_starttls,
                timeout=20,
            )
        except Exception as exc:
            await db.rollback()
            error = f"{type(exc).__name__}: {exc}"[:2000]
            async with database.session() as note:
                failed = await note.get(Email, UUID(email_id))
                if failed is not None:
                    failed.error = error
                    await note.commit()
            raise  # dramatiq retries with backoff; after the last retry → dead-letter queue
        email.sent_at = now()
        email.error = None
        await db.commit()
