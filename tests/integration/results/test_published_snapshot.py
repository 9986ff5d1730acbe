"""A published assessment's results page reads the results stored at publication (the
ResultSnapshot's document) instead of recomputing them from the answers on every view."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from ordena.assessments.models import ResultSnapshot
from ordena.assessments.results import compute_results, result_document
from ordena.db.engine import Database
from ordena.tenancy.models import Role
from tests.factories import PASSWORD, make_firm
from tests.integration.results.helpers import KNOWN_CONSULTANT, KNOWN_SELVES, make_assessment


async def test_the_published_results_page_shows_the_stored_results_as_computed_at_publication(
    database: Database, client: Any
) -> None:
    firm = await make_firm(database, roles=(Role.VIEWER,))
    made = await make_assessment(
        database, firm.id, kind="both", status="published", consultant=KNOWN_CONSULTANT, selves=KNOWN_SELVES
    )
    await client.login(firm.email(Role.VIEWER), PASSWORD)
    path = f"/w/{firm.slug}/assessments/{made.assessment_id}/results"
    computed = await client.get(path)  # no snapshot yet: computed from the answers
    assert computed.status_code == 200 and "3.33" in computed.text

    async with database.session(tenant_id=firm.id) as db:  # what publishing stores
        results = await compute_results(db, firm.id, made.assessment_id)
        db.add(
            ResultSnapshot(
                tenant_id=firm.id,
                assessment_id=made.assessment_id,
                overall=results.overall,
                data=result_document(results),
            )
        )
        await db.commit()
    stored = await client.get(path)
    assert stored.text == computed.text, "the stored document reads back as the same page"

    # An answer changed under a published assessment (no page allows it) does not move its results.
    async with database.session(tenant_id=firm.id) as db:
        await db.execute(
            text("UPDATE answer SET level = 1 WHERE tenant_id = :t AND assessment_id = :a AND level IS NOT NULL"),
            {"t": firm.id, "a": made.assessment_id},
        )
        await db.commit()
        assert (await compute_results(db, firm.id, made.assessment_id)).dimension("ventas").score != results.dimension(
            "ventas"
        ).score
    assert (await client.get(path)).text == computed.text


async def test_a_snapshot_without_the_whole_document_is_recomputed(database: Database, client: Any) -> None:
    firm = await make_firm(database, roles=(Role.VIEWER,))
    made = await make_assessment(database, firm.id, kind="consultant", status="published", consultant=KNOWN_CONSULTANT)
    async with database.session(tenant_id=firm.id) as db:
        db.add(
            ResultSnapshot(
                tenant_id=firm.id, assessment_id=made.assessment_id, overall=None, data={"dimensions": {"ventas": 9.99}}
            )
        )
        await db.commit()
    await client.login(firm.email(Role.VIEWER), PASSWORD)
    page = await client.get(f"/w/{firm.slug}/assessments/{made.assessment_id}/results")
    assert page.status_code == 200
    assert "3.33" in page.text and "9.99" not in page.text
