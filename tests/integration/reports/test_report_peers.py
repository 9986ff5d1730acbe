"""The PDF report's peer percentile comes from the networks lookup: a published assessment of a
firm consenting to a network with a release carries the section (pypdf reads it); the same
assessment without a release, or a firm in no network, has none. The release rows come from the
test helper (made-up figures over the real lattice); the engine's own releases are tested in
tests/integration/networks."""

from __future__ import annotations

from typing import Any

from ordena.assessments import lifecycle
from ordena.lib.i18n import use_locale
from ordena.reports import services as reports
from ordena.reports.content import load_report
from ordena.reports.fingerprint import content_fingerprint
from ordena.reports.pdf import render_pdf
from ordena.reports.peers import peer_section
from ordena.tenancy.services import enter_firm
from tests.integration.reports.helpers import report_world
from tests.integration.reports.test_pdf_reports import pdf_text
from tests.network_helpers import insert_test_release, join_network, make_network


async def _pdf(database: Any, settings: Any, tenant_id: Any, assessment_id: Any) -> tuple[Any, str]:
    async with database.session(tenant_id=tenant_id) as db:
        with use_locale("es"):
            peers = await peer_section(db, tenant_id, assessment_id)
            doc = await load_report(db, tenant_id, assessment_id, benchmark=peers)
            body = render_pdf(doc, settings.templates_dir, settings.static_dir)
    return peers, pdf_text(body)


async def test_the_pdf_has_the_peer_percentile_once_the_network_publishes_a_release(
    database: Any, settings: Any
) -> None:
    w = await report_world(database)
    async with database.session(tenant_id=w.tenant_id) as db:
        await enter_firm(db, w.firm.tenant, None)
        await lifecycle.transition(db, w.tenant_id, w.assessment_id, "publish", w.plan.actor, reason="prueba")
        await db.commit()
    alone, text = await _pdf(database, settings, w.tenant_id, w.assessment_id)
    assert alone is None and "Comparación con pares" not in text  # in no network

    net = await make_network(database, name="Red Informe Pares")
    await join_network(database, w.firm.tenant, net.network)
    before, text = await _pdf(database, settings, w.tenant_id, w.assessment_id)
    assert before is None and "Comparación con pares" not in text  # a network, no release yet

    await insert_test_release(database, net.network)
    peers, text = await _pdf(database, settings, w.tenant_id, w.assessment_id)
    assert peers is not None and peers.overall_percentile is not None
    assert any(r.percentile is not None for r in peers.rows)
    assert "Comparación con pares" in text and "Red Informe Pares" in text
    assert f"Percentil general del cliente: {peers.overall_percentile}" in text
    assert f"n {peers.n_band}" in text


async def test_an_unpublished_assessment_has_no_peer_section(database: Any, settings: Any) -> None:
    w = await report_world(database)  # validated, not published
    net = await make_network(database)
    await join_network(database, w.firm.tenant, net.network)
    await insert_test_release(database, net.network)
    async with database.session(tenant_id=w.tenant_id) as db:
        assert await peer_section(db, w.tenant_id, w.assessment_id) is None


async def test_a_new_benchmark_release_makes_the_published_report_out_of_date(database: Any, settings: Any) -> None:
    w = await report_world(database)
    async with database.session(tenant_id=w.tenant_id) as db:
        await enter_firm(db, w.firm.tenant, None)
        await lifecycle.transition(db, w.tenant_id, w.assessment_id, "publish", w.plan.actor, reason="prueba")
        await db.commit()
    net = await make_network(database, name="Red Informe Vigencia")
    await join_network(database, w.firm.tenant, net.network)
    await insert_test_release(database, net.network, number=1)

    async def ask() -> Any:
        async with database.session(tenant_id=w.tenant_id) as db:
            report, new = await reports.request_report(
                db, w.tenant_id, w.plan.actor, w.assessment_id, {"format": "pdf", "locale": "es"}
            )
            fingerprint = await content_fingerprint(db, w.tenant_id, w.assessment_id)
            report.status, report.fingerprint = "done", fingerprint  # as if the worker had made it
            await db.commit()
            return report.id, new, fingerprint

    first, new, before = await ask()
    assert new
    again, new, same = await ask()
    assert (again, new, same) == (first, False, before)  # nothing changed: the same report

    await insert_test_release(database, net.network, number=2)  # the network publishes again
    later, new, after = await ask()
    assert new and later != first and after != before  # the peer figures may have moved
