"""The network admin area: pages, exports and the API read the latest releases; another
network's admin and a firm member who is not a network admin get 404; bad input is a 4xx."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from sqlalchemy import func, select

from ordena.accounts import api_tokens
from ordena.db.engine import Database
from ordena.jobs.models import OutboxMessage
from ordena.jobs.registry import JOBS, job
from ordena.lib.clock import now
from ordena.networks.admin.refresh import REFRESH_JOB
from ordena.networks.models import NetworkEvent
from ordena.tenancy.models import Role
from ordena.web.access import Access, access_of
from tests.factories import PASSWORD, make_firm
from tests.network_helpers import insert_test_release, join_network, make_network

PAGES = ("", "/trend", "/practices", "/releases", "/firms", "/events")
EXPORTS = tuple(
    f"/export/{t}?format={f}"
    for t in ("cohorts", "trend", "practices", "releases", "participation", "firms")
    for f in ("csv", "xlsx")
)


def network_routes(app: Litestar) -> list[tuple[str, str]]:
    out = []
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                for method in handler.http_methods:
                    if method != "OPTIONS" and access_of(handler) is Access.NETWORK:
                        out.append((route.path_format, method))
    return out


def test_every_network_route_is_under_n_and_guarded(app: Litestar) -> None:
    routes = network_routes(app)
    assert len(routes) >= 11
    for path, _method in routes:
        assert path.startswith(("/n/{network}", "/api/v1/n/{network}")), path


async def test_the_admin_reads_every_page_with_real_release_rows(client: Any, database: Database) -> None:
    net = await make_network(database, name="Red Andina de Prueba")
    await insert_test_release(database, net.network, number=1, released_at=now() - dt.timedelta(days=40), shift=0)
    await insert_test_release(database, net.network, number=2, released_at=now() - dt.timedelta(days=10), shift=2)
    await client.login(net.admin.email, PASSWORD)
    home = await client.get("/", follow_redirects=False)
    assert home.headers["location"] == f"/n/{net.slug}"  # a network-admin-only user lands on the network
    dash = await client.get(f"/n/{net.slug}")
    assert dash.status_code == 200
    assert "Publicación n.º 2" in dash.text and "Red Andina de Prueba" in dash.text
    assert "<svg" in dash.text and "Ventas" in dash.text
    hidden = await client.get(f"/n/{net.slug}?slice=size:micro")
    assert hidden.status_code == 200 and "Muy pocas empresas para publicarlo" in hidden.text
    comp = await client.get(f"/n/{net.slug}?slice=industry_size:C:micro")
    assert "Oculto para proteger otro grupo oculto" in comp.text
    trend = await client.get(f"/n/{net.slug}/trend?slice=industry:C")
    assert trend.status_code == 200 and "#1" in trend.text and "#2" in trend.text
    practices = await client.get(f"/n/{net.slug}/practices")
    assert practices.status_code == 200 and "70" in practices.text
    releases = await client.get(f"/n/{net.slug}/releases")
    # Hidden cohorts counted by reason (the test release hides every scope of two slices).
    assert releases.status_code == 200 and "Publicar ahora" in releases.text
    for path in PAGES:
        assert (await client.get(f"/n/{net.slug}{path}")).status_code == 200, path


async def test_a_cohort_outside_the_lattice_is_a_400(client: Any, database: Database) -> None:
    net = await make_network(database)
    await insert_test_release(database, net.network)
    await client.login(net.admin.email, PASSWORD)
    for bad in ("region:lima", "industry:Z", "all:x", "industry"):
        response = await client.get(f"/n/{net.slug}?slice={bad}")
        assert response.status_code == 400, bad
        assert "Ese grupo no existe en la red" in response.text


async def test_exports_are_csv_and_excel_with_formula_text_kept_as_text(client: Any, database: Database) -> None:
    net = await make_network(database)
    await insert_test_release(database, net.network)
    firm = await make_firm(database, roles=(Role.OWNER,), name='=HYPERLINK("http://x")')
    await join_network(database, firm.tenant, net.network)
    await client.login(net.admin.email, PASSWORD)
    cohorts = await client.get(f"/n/{net.slug}/export/cohorts?format=csv")
    assert cohorts.status_code == 200 and cohorts.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(cohorts.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Publicación", "Grupo", "Ámbito"]
    assert any(r[4] == "Muy pocas empresas para publicarlo" for r in rows[1:])
    firms_csv = (await client.get(f"/n/{net.slug}/export/firms?format=csv")).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in firms_csv
    xlsx = await client.get(f"/n/{net.slug}/export/firms?format=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    cells = [c.value for row in book.active.iter_rows() for c in row if c.value is not None]
    assert '=HYPERLINK("http://x")' in cells  # a string cell, not a formula
    assert book.active.cell(4, 1).data_type == "s"
    for path in EXPORTS:
        assert (await client.get(f"/n/{net.slug}{path}")).status_code == 200, path
    assert (await client.get(f"/n/{net.slug}/export/companies?format=csv")).status_code == 404
    assert (await client.get(f"/n/{net.slug}/export/cohorts?format=pdf")).status_code == 404


async def test_another_networks_admin_and_a_firm_member_get_404_everywhere(
    app: Litestar, client: Any, database: Database
) -> None:
    net = await make_network(database)
    other = await make_network(database)
    firm = await make_firm(database, roles=(Role.OWNER,))
    await join_network(database, firm.tenant, net.network)
    await insert_test_release(database, net.network)
    for email in (other.admin.email, firm.email(Role.OWNER)):
        await client.login(email, PASSWORD)
        for path, method in network_routes(app):
            url = path.replace("{network}", net.slug).replace("{invitation_id}", "00000000-0000-7000-8000-000000000000")
            url = url.replace("{table}", "cohorts")
            if method == "GET":
                response = await client.get(url)
            else:
                response = await client.post(url, {"email": "x@example.com"})
            assert response.status_code == 404, f"{email} {method} {url} → {response.status_code}"
            assert net.network.name not in response.text
        await client.post("/logout", {})
        client.csrf = None
    anonymous = await client.get(f"/n/{net.slug}", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


async def test_the_api_gives_the_latest_published_cohorts_to_the_networks_admins_only(
    client: Any, database: Database
) -> None:
    net = await make_network(database)
    await insert_test_release(database, net.network, number=1, released_at=now() - dt.timedelta(days=30))
    await insert_test_release(database, net.network, number=2)
    outsider = await make_network(database)
    async with database.session() as db:
        secret, _ = await api_tokens.create(db, net.admin.id, "api")
        other_secret, _ = await api_tokens.create(db, outsider.admin.id, "api")
        await db.commit()
    url = f"/api/v1/n/{net.slug}/releases/latest"
    response = await client.client.get(url, headers={"authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == 2 and body["cohorts"]
    assert all(c["n_band"] for c in body["cohorts"])
    assert {(c["slice_kind"], c["slice_value"]) for c in body["cohorts"]} == {("all", ""), ("industry", "C")}
    assert set(body["cohorts"][0]) == {
        "scope_kind", "scope_key", "slice_kind", "slice_value", "n_band", "histogram",
        "mean", "p10", "p25", "median", "p75", "p90",
    }  # fmt: skip
    denied = await client.client.get(url, headers={"authorization": f"Bearer {other_secret}"})
    assert denied.status_code == 404
    assert (await client.client.get(url)).status_code == 401
    empty = await client.client.get(
        f"/api/v1/n/{outsider.slug}/releases/latest", headers={"authorization": f"Bearer {other_secret}"}
    )
    assert empty.status_code == 404


@pytest.fixture
def refresh_job() -> Any:
    """The release engine's job is declared by the engine (another part of the issue); where it
    is not in the build yet, a stand-in with the same name lets the request be queued. Nothing
    runs it here: the outbox row is what this test checks."""
    if REFRESH_JOB in JOBS:
        yield
        return

    @job(REFRESH_JOB)
    async def stand_in(network_id: str) -> None:  # pragma: no cover - never relayed in this test
        return None

    yield
    JOBS.pop(REFRESH_JOB, None)


async def _queued(database: Database) -> int:
    async with database.session() as db:
        return int(await db.scalar(select(func.count()).where(OutboxMessage.actor_name == REFRESH_JOB)) or 0)


async def test_refresh_now_is_refused_within_a_week_of_the_last_release(
    client: Any, database: Database, refresh_job: Any
) -> None:
    net = await make_network(database)
    await insert_test_release(database, net.network, released_at=now() - dt.timedelta(days=3))
    await client.login(net.admin.email, PASSWORD)
    before = await _queued(database)
    refused = await client.post(f"/n/{net.slug}/refresh", {})
    assert refused.status_code == 409 and "puedes pedir otra desde el" in refused.text
    assert await _queued(database) == before

    older = await make_network(database)
    await insert_test_release(database, older.network, released_at=now() - dt.timedelta(days=8))
    await client.post("/logout", {})
    client.csrf = None
    await client.login(older.admin.email, PASSWORD)
    asked = await client.post(f"/n/{older.slug}/refresh", {})
    assert asked.status_code == 303
    assert await _queued(database) == before + 1
    again = await client.post(f"/n/{older.slug}/refresh", {})
    assert again.status_code == 409 and "se está calculando" in again.text
    assert await _queued(database) == before + 1
    async with database.session() as db:
        logged = await db.scalar(
            select(func.count()).where(NetworkEvent.network_id == older.network.id, NetworkEvent.action == "refresh")
        )
    assert logged == 1
