"""Billing in Chromium: the owner reads the trial, plans (soles first in Spanish) and usage,
subscribes through Checkout (the tests' LOCAL FAKE of Stripe Checkout, in front of a real
localstripe) and comes back to an active subscription."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from ordena.db.engine import Database
from ordena.settings import Settings
from ordena.tenancy.models import Role
from tests.e2e.conftest import RUNNING, LiveServer, _free_port, log_in
from tests.factories import PASSWORD, make_firm
from tests.stripe.fake import StripeStack, stripe_stack

pytestmark = pytest.mark.e2e


@pytest.fixture
def billing_server(migrated: Settings) -> Iterator[tuple[LiveServer, StripeStack]]:
    """A live server with Stripe keys; localstripe's webhooks reach it through the inbox.

    As for the SMTP server: the other live servers share the database, so their relays pause
    (they would take the billing jobs), and dramatiq's process-wide state is put back after."""
    import dramatiq.asyncio as dramatiq_asyncio
    import dramatiq.broker as dramatiq_broker

    from ordena.jobs import runtime

    saved = (dramatiq_broker.global_broker, dramatiq_asyncio.get_event_loop_thread(), runtime._worker_settings)
    with stripe_stack() as stack:
        port = _free_port()
        settings = replace(
            migrated, base_url=f"http://127.0.0.1:{port}", port=port, host="127.0.0.1", **stack.settings_overrides()
        )
        others = list(RUNNING)
        for other in others:
            other.app.state.jobs.relay.paused = True
        server = LiveServer(settings)
        stack.inbox.forward_to.append(f"{settings.base_url}/billing/stripe/webhook")
        try:
            server.start()
            yield server, stack
        finally:
            server.stop()
            for other in others:
                other.app.state.jobs.relay.paused = False
            dramatiq_broker.global_broker, thread, runtime._worker_settings = saved
            if thread is not None:
                dramatiq_asyncio.set_event_loop_thread(thread)


def test_owner_reads_the_trial_subscribes_through_checkout_and_comes_back_active(
    billing_server: tuple[LiveServer, StripeStack], new_page: Any, screenshot: Any
) -> None:
    server, stack = billing_server

    async def world() -> Any:
        database = Database.connect(server.settings)
        try:
            return await make_firm(database, roles=(Role.OWNER,), name="Estudio Contable Andino")
        finally:
            await database.dispose()

    firm = server.run(world())
    page = new_page(locale="es-PE")
    log_in(page, server.url, firm.email(Role.OWNER), PASSWORD)
    page.goto(f"{server.url}/w/{firm.slug}")
    page.get_by_role("link", name="Facturación").click()
    page.wait_for_url(f"**/w/{firm.slug}/billing")
    assert page.get_by_text("Periodo de prueba").first.is_visible()
    assert page.get_by_text("Empresas activas").is_visible()
    starter = page.locator("article", has=page.get_by_role("heading", name="Starter"))
    text = starter.inner_text()
    assert text.index("S/") < text.index("USD")  # soles first, dollars beside
    screenshot(page, "billing-trial-es")

    starter.get_by_role("button", name="Suscribirme a Starter, pago mensual").click()
    page.wait_for_url(f"{stack.front.url}/checkout/**")
    page.get_by_role("button", name="Pay").click()
    page.wait_for_url(f"**/w/{firm.slug}/billing?checkout=done")
    assert page.get_by_text("¡Gracias! Tu suscripción está activa.").is_visible()
    assert page.get_by_role("button", name="Cambiar tarjeta, plan o cancelar").is_visible()
    assert page.get_by_text("Activa", exact=True).is_visible()
    screenshot(page, "billing-active-es")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Your subscription", exact=True).is_visible()
    assert page.get_by_text("Active", exact=True).is_visible()
