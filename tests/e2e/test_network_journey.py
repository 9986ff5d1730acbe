"""Networks in Chromium: a network admin invites a firm, the firm's owner follows the emailed
link (the development outbox), reads the terms and accepts; the admin opens the dashboard,
picks a cohort and exports a CSV.

The release rows come from the test helper (``tests/network_helpers.insert_test_release``)
until the release engine's refresh is part of the build."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest

from ordena.db.engine import Database
from ordena.lib.clock import now
from ordena.tenancy.models import Role
from tests.e2e.conftest import PHONE, LiveServer, log_in, log_out
from tests.factories import PASSWORD, make_firm
from tests.network_helpers import insert_test_release, make_network

pytestmark = pytest.mark.e2e
OWNER_EMAIL = "socia.e2e@estudio-aliado.example.com"


def _world(server: LiveServer) -> dict[str, Any]:
    async def go() -> dict[str, Any]:
        database = Database.connect(server.settings)
        try:
            net = await make_network(database, name="Red Alianza de Prueba")
            firm = await make_firm(database, roles=(Role.OWNER,), name="Estudio Aliado del Norte")
            await insert_test_release(database, net.network, number=1, released_at=now() - dt.timedelta(days=60))
            await insert_test_release(
                database, net.network, number=2, released_at=now() - dt.timedelta(days=25), shift=1
            )
            await insert_test_release(
                database, net.network, number=3, released_at=now() - dt.timedelta(days=2), shift=3
            )
            return {"net": net, "firm": firm}
        finally:
            await database.dispose()

    return server.run(go())


def test_a_firm_joins_by_invitation_and_the_admin_reads_and_exports_the_dashboard(
    live_server: LiveServer, new_page: Any, newest_email: Any, screenshot: Any
) -> None:
    w = _world(live_server)
    net, firm, url = w["net"], w["firm"], live_server.url

    admin = new_page()
    log_in(admin, url, net.admin.email, PASSWORD)
    assert admin.url.endswith(f"/n/{net.slug}")  # a network admin with no firm lands on the network
    admin.goto(f"{url}/n/{net.slug}/firms")
    admin.fill("#f-email", OWNER_EMAIL)
    admin.click("main form[action$='/firms/invite'] button[type=submit]")
    admin.wait_for_load_state()
    assert "Invitación enviada" in admin.content()
    mail = newest_email(OWNER_EMAIL)
    assert mail is not None and "Red Alianza de Prueba" in mail.subject
    link = re.search(r"https?://\S+/network-invitations/[A-Za-z0-9_\-]+", mail.text_body)
    assert link is not None

    owner = new_page()
    log_in(owner, url, firm.email(Role.OWNER), PASSWORD)
    owner.goto(link.group(0))
    assert "Términos de intercambio de datos" in owner.content()
    screenshot(owner, "network-invitation-es")
    owner.check("input[name=accept]")
    owner.click("main form button[type=submit]")
    owner.wait_for_load_state()
    assert owner.url.endswith(f"/w/{firm.slug}/settings/networks")
    assert "ahora participa en Red Alianza de Prueba" in owner.content()
    assert "Participa" in owner.locator("table").inner_text()
    screenshot(owner, "network-firm-consent-es")
    log_out(owner)

    admin.goto(f"{url}/n/{net.slug}/firms")
    assert "Estudio Aliado del Norte" in admin.locator("table").first.inner_text()
    admin.goto(f"{url}/n/{net.slug}")
    assert "Publicación n.º 3" in admin.content()
    assert admin.locator("svg.chart-shares").count() == 1
    screenshot(admin, "network-dashboard-es")
    admin.select_option("#slice", "size:micro")
    admin.click("form.filters button[type=submit]")
    admin.wait_for_load_state()
    assert "Muy pocas empresas para publicarlo" in admin.content()
    admin.goto(f"{url}/n/{net.slug}")
    with admin.expect_download() as download:
        admin.click("text=Exportar CSV")
    with open(download.value.path(), encoding="utf-8-sig") as f:
        rows = list(csv.reader(io.StringIO(f.read())))
    assert rows[0][:3] == ["Publicación", "Grupo", "Ámbito"]
    assert {r[0] for r in rows[1:]} == {"3"}  # the latest release only
    admin.goto(f"{url}/n/{net.slug}/trend")
    assert admin.locator("svg.chart-lines").count() == 1

    phone = new_page(width=PHONE["width"], height=PHONE["height"])
    log_in(phone, url, net.admin.email, PASSWORD)
    phone.goto(f"{url}/n/{net.slug}")
    # Nothing wider than the screen: the chart and the tables fit a phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    screenshot(phone, "network-dashboard-phone")
