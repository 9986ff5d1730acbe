"""The closed-loop progress page shows each dimension's move in peer percentile between the
baseline and the re-assessment once the firm's network has a release (issue #12 part 4), and no
such section outside a network. The release rows come from the test helper."""

from __future__ import annotations

from ordena.db.engine import Database
from ordena.tenancy.models import Role
from tests.factories import PASSWORD
from tests.integration.plans.test_progress import _two_assessments
from tests.network_helpers import insert_test_release, join_network, make_network


async def test_the_progress_page_shows_the_move_in_peer_percentile(database: Database, client) -> None:  # type: ignore[no-untyped-def]
    firm, _base, new = await _two_assessments(database)
    await client.login(firm.email(Role.VIEWER), PASSWORD)
    url = f"/w/{firm.slug}/assessments/{new.id}/progress"  # type: ignore[attr-defined]
    outside = await client.get(url)
    assert outside.status_code == 200 and "Movimiento frente a los pares" not in outside.text

    net = await make_network(database, name="Red Avance Pares")
    await join_network(database, firm.tenant, net.network)  # type: ignore[attr-defined]
    await insert_test_release(database, net.network)
    page = await client.get(url)
    assert page.status_code == 200, page.text
    html = page.text
    assert "Movimiento frente a los pares" in html and "Red Avance Pares" in html
    assert "Percentil base" in html and "Percentil nuevo" in html
    # ventas went from 2.00 to 3.25: its percentile rises against the same cohort.
    row = html.split("Movimiento frente a los pares", 1)[1].split("Ventas", 1)[1].split("</tr>", 1)[0]
    assert "+" in row, row
