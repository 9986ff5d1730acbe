"""Email: rendered from ``templates/emails/<name>.{subject,txt,html}`` in the recipient's
language, stored, and sent by the ``send_email`` job after the transaction commits."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.jobs.outbox import enqueue
from ordena.lib.i18n import use_locale
from ordena.lib.templates import make_environment
from ordena.mail.models import Email


@cache
def _env(templates_dir: Path) -> Environment:
    return make_environment(templates_dir)


def render_email(templates_dir: Path, name: str, context: dict[str, Any], locale: str) -> tuple[str, str, str]:
    env = _env(templates_dir)
    with use_locale(locale):
        subject = env.get_template(f"emails/{name}.subject.txt").render(**context).strip()
        text = env.get_template(f"emails/{name}.txt").render(**context)
        html = env.get_template(f"emails/{name}.html").render(**context)
    return subject, text, html


async def send_mail(
    db: AsyncSession,
    *,
    templates_dir: Path,
    to: str,
    template: str,
    context: dict[str, Any],
    locale: str = "es",
) -> Email:
    subject, text, html = render_email(templates_dir, template, context, locale)
    email = Email(to=to, subject=subject, text_body=text, html_body=html, template=template)
    db.add(email)
    await db.flush()
    enqueue(db, "send_email", email.id)
    return email
