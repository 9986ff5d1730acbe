"""Mail as the recipient gets it: over SMTP when configured, otherwise on the development
outbox page; HTML that survives mail clients (inline styles only)."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace

from litestar.testing import AsyncTestClient

from ordena.db.engine import Database
from ordena.jobs.runtime import bind_jobs, close_worker_database, make_broker
from ordena.mail.jobs import send_email
from ordena.mail.models import Email
from ordena.mail.services import render_email, send_mail
from ordena.settings import Settings
from ordena.tenancy.models import Role
from tests.conftest import BASE_URL, Browser
from tests.factories import PASSWORD, make_firm
from tests.integration.mail.smtp import SmtpServer


async def _reset_mail(database: Database, settings: Settings, to: str, locale: str) -> Email:
    async with database.session() as db:
        email = await send_mail(
            db,
            templates_dir=settings.templates_dir,
            to=to,
            template="password_reset",
            context={"name": "Ana Quispe", "url": f"{settings.base_url}/reset/tok", "hours": 2},
            locale=locale,
        )
        await db.commit()
    return email


async def _deliver(settings: Settings, email: Email) -> None:
    bind_jobs(make_broker(settings), settings)
    try:
        await send_email(str(email.id))
    finally:
        await close_worker_database()


async def test_password_reset_mail_arrives_over_smtp_with_text_and_html_parts(
    migrated: Settings, database: Database, smtp_server: SmtpServer
) -> None:
    settings = replace(
        migrated, smtp_host=smtp_server.host, smtp_port=smtp_server.port, mail_from="Ordena <hola@ordena.pe>"
    )
    to = f"ana.{uuid.uuid4().hex[:8]}@example.test"
    email = await _reset_mail(database, settings, to, "es")
    await _deliver(settings, email)

    [message] = smtp_server.inbox.to(to)
    assert smtp_server.inbox.envelopes[-1].rcpt_tos == [to]
    assert message["Subject"] == "Restablece tu contraseña de Ordena"
    assert message["From"] == "Ordena <hola@ordena.pe>"
    assert message["Message-ID"].endswith("@ordena.pe>")
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    assert "Hola, Ana Quispe:" in text.get_content()
    assert f"{settings.base_url}/reset/tok" in text.get_content()
    assert '<html lang="es">' in html.get_content()
    assert "Elegir nueva contraseña" in html.get_content()

    async with database.session() as db:
        stored = await db.get(Email, email.id)
        assert stored is not None and stored.sent_at is not None and stored.error is None


async def test_mail_is_written_in_the_recipients_language(
    migrated: Settings, database: Database, smtp_server: SmtpServer
) -> None:
    settings = replace(migrated, smtp_host=smtp_server.host, smtp_port=smtp_server.port)
    to = f"john.{uuid.uuid4().hex[:8]}@example.test"
    email = await _reset_mail(database, settings, to, "en")
    await _deliver(settings, email)

    [message] = smtp_server.inbox.to(to)
    subject, text, _html = render_email(
        settings.templates_dir,
        "password_reset",
        {"name": "Ana Quispe", "url": f"{settings.base_url}/reset/tok", "hours": 2},
        "en",
    )
    assert message["Subject"] == subject
    body = message.get_body(("html",))
    assert body is not None
    assert '<html lang="en">' in body.get_content()
    plain = message.get_body(("plain",))
    assert plain is not None
    assert plain.get_content().replace("\r\n", "\n").split() == text.split()
    assert subject != "Restablece tu contraseña de Ordena"  # the English catalogue's subject
    assert "Hello Ana Quispe," in plain.get_content()


async def test_a_failing_smtp_server_leaves_the_error_on_the_mail_for_a_retry(
    migrated: Settings, database: Database
) -> None:
    from tests.integration.mail.smtp import free_port

    settings = replace(migrated, smtp_host="127.0.0.1", smtp_port=free_port())  # nothing listens
    email = await _reset_mail(database, settings, f"x.{uuid.uuid4().hex[:8]}@example.test", "es")
    bind_jobs(make_broker(settings), settings)
    try:
        try:
            await send_email(str(email.id))
        except Exception:  # noqa: S110 - dramatiq would retry it
            pass
        else:
            raise AssertionError("the job should raise so that dramatiq retries it")
    finally:
        await close_worker_database()
    async with database.session() as db:
        stored = await db.get(Email, email.id)
        assert stored is not None and stored.sent_at is None and stored.error


def test_email_html_uses_only_inline_styles_so_mail_clients_render_it(migrated: Settings) -> None:
    for template, context in [
        ("password_reset", {"name": "Ana", "url": "https://ordena.pe/r/x", "hours": 2}),
    ]:
        _, _, html = render_email(migrated.templates_dir, template, context, "es")
        assert "<style" not in html and "<link" not in html and "<script" not in html
        assert not re.search(r"\sclass=", html), "mail clients drop stylesheets: style inline"
        assert re.search(r'<body style="[^"]+"', html)
        assert 'role="presentation"' in html  # layout tables are not read as data tables
        assert re.search(r'<a href="https://ordena.pe/r/x" style="[^"]*display:inline-block', html)
        assert 'name="viewport"' in html


async def test_without_smtp_mail_waits_on_the_development_outbox_page(
    client: Browser, migrated: Settings, database: Database
) -> None:
    firm = await make_firm(database, roles=(Role.VIEWER,))
    to = firm.email(Role.VIEWER)
    email = await _reset_mail(database, migrated, to, "es")
    await client.login(to, PASSWORD)

    page = await client.get(f"/dev/outbox?to={to}")
    assert page.status_code == 200
    assert to in page.text
    assert "Restablece tu contraseña de Ordena" in page.text
    assert f"/dev/outbox/{email.id}" in page.text

    detail = await client.get(f"/dev/outbox/{email.id}")
    assert detail.status_code == 200
    assert re.search(rf'<iframe[^>]*sandbox="[^"]*"[^>]*src="/dev/outbox/{email.id}/html"', detail.text)
    assert "Hola, Ana Quispe:" in detail.text  # the text version

    body = await client.get(f"/dev/outbox/{email.id}/html")
    assert body.status_code == 200
    assert "Elegir nueva contraseña" in body.text
    csp = body.headers["content-security-policy"]
    assert "style-src 'unsafe-inline'" in csp and "script-src" not in csp and "frame-ancestors 'self'" in csp

    async with database.session() as db:
        stored = await db.get(Email, email.id)
        assert stored is not None and stored.sent_at is None  # kept, not sent


async def test_development_outbox_is_hidden_in_production_and_when_smtp_is_configured(
    migrated: Settings, database: Database
) -> None:
    from ordena.server.app import create_app

    email = await _reset_mail(database, migrated, f"z.{uuid.uuid4().hex[:8]}@example.test", "es")
    for settings in (
        replace(migrated, environment="production", base_url="https://ordena.test"),
        replace(migrated, smtp_host="smtp.example.test"),
    ):
        app = create_app(settings, start_jobs=False)
        base = settings.base_url if settings.base_url.startswith("https") else BASE_URL
        async with AsyncTestClient(app=app, base_url=base) as c:
            for path in ("/dev/outbox", f"/dev/outbox/{email.id}", f"/dev/outbox/{email.id}/html"):
                response = await c.get(path)
                assert response.status_code == 404, (settings.environment, path)


async def test_a_staging_server_without_smtp_does_not_publish_reset_links_in_the_outbox(
    migrated: Settings, database: Database
) -> None:
    from ordena.server.app import create_app

    email = await _reset_mail(database, migrated, f"s.{uuid.uuid4().hex[:8]}@example.test", "es")
    for environment in ("staging", "demo", "prod"):
        settings = replace(migrated, environment=environment)
        app = create_app(settings, start_jobs=False)
        async with AsyncTestClient(app=app, base_url=BASE_URL) as c:
            for path in ("/dev/outbox", f"/dev/outbox/{email.id}", f"/dev/outbox/{email.id}/html"):
                response = await c.get(path)
                assert response.status_code == 404, (environment, path)
                assert "/reset/tok" not in response.text


async def _firm_mail(database: Database, settings: Settings, tenant_id: uuid.UUID, to: str) -> Email:
    """Mail sent inside a firm's unit of work, as invitations and reminders are."""
    async with database.session(tenant_id=tenant_id) as db:
        email = await send_mail(
            db,
            templates_dir=settings.templates_dir,
            to=to,
            template="password_reset",
            context={"name": "Rosa Mamani", "url": f"{settings.base_url}/reset/firm-link", "hours": 2},
        )
        await db.commit()
    return email


async def test_the_development_outbox_shows_a_user_their_firms_mail_and_never_another_firms(
    client: Browser, migrated: Settings, database: Database
) -> None:
    firm_a = await make_firm(database, roles=(Role.OWNER, Role.VIEWER))
    firm_b = await make_firm(database, roles=(Role.OWNER,))
    to = f"rosa.{uuid.uuid4().hex[:8]}@example.com"
    email = await _firm_mail(database, migrated, firm_a.id, to)
    async with database.session() as db:
        stored = await db.get(Email, email.id)
        assert stored is not None and stored.firm_id == firm_a.id

    paths = ("/dev/outbox", f"/dev/outbox/{email.id}", f"/dev/outbox/{email.id}/html")
    for path in paths:  # nobody signed in: the login page, not the mail
        anonymous = await client.get(path)
        assert anonymous.url.path == "/login", path
        assert to not in anonymous.text and "firm-link" not in anonymous.text

    await client.login(firm_b.email(Role.OWNER), PASSWORD)
    listing = await client.get("/dev/outbox")
    assert listing.status_code == 200
    assert to not in listing.text and str(email.id) not in listing.text
    for path in paths[1:]:
        assert (await client.get(path)).status_code == 404, path

    await client.post("/logout", {})
    client.csrf = None
    await client.login(firm_a.email(Role.VIEWER), PASSWORD)
    listing = await client.get("/dev/outbox")
    assert to in listing.text and f"/dev/outbox/{email.id}" in listing.text
    assert (await client.get(f"/dev/outbox/{email.id}/html")).status_code == 200
