"""Results of an assessment: exact scores from known answers, overrides, the page and its access."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from ordena.assessments.results import compute_results
from ordena.audit.models import AuditEvent
from ordena.db.engine import Database
from ordena.tenancy.models import Role
from tests.factories import PASSWORD, make_firm
from tests.integration.results.helpers import KNOWN_CONSULTANT, KNOWN_SELVES, make_assessment


async def test_consultant_sees_exact_scores_disagreement_and_blind_spots_from_known_answers(database: Database) -> None:
    firm = await make_firm(database, roles=(Role.CONSULTANT,))
    made = await make_assessment(database, firm.id, consultant=KNOWN_CONSULTANT, selves=KNOWN_SELVES)
    async with database.session(tenant_id=firm.id) as db:
        r = await compute_results(db, firm.id, made.assessment_id)
    ventas = r.dimension("ventas")
    # (4×2 + 2×1) / 3 = 10/3; the N/A question is left out.
    assert (ventas.score, ventas.level, ventas.index) == (Decimal("3.33"), 3, Decimal("58.3"))
    assert (ventas.answered, ventas.not_applicable) == (3, 1)
    # Self side: pipeline mean (5+3)/2 = 4, proceso 5 → (4×2 + 5) / 3 = 13/3; gap = 1 exactly.
    assert ventas.self_score == Decimal("4.33")
    assert ventas.gap == Decimal("1.00") and ventas.blind_spot
    assert ventas.disagreement == 2  # the two client contacts gave 5 and 3 to the pipeline question
    atencion = r.dimension("atencion_cliente")
    assert (atencion.score, atencion.level, atencion.self_score, atencion.gap) == (Decimal("1.00"), 1, None, None)
    assert r.dimension("relacion_comercial").score is None  # unanswered: no score, not zero
    # Front office: (10/3 × 1 + 1 × 1.5) / 2.5 = 29/15 = 1.933…
    front = r.pillar("front_office")
    assert (front.score, front.level) == (Decimal("1.93"), 2)
    assert r.pillar("back_office").score is None
    assert (r.overall, r.overall_level) == (Decimal("1.93"), 2)
    assert r.completeness == Decimal("0.0625")  # 4 of 64 answered, N/A included
    assert (ventas.target, ventas.plan_gap, ventas.priority) == (3, Decimal("0.00"), Decimal("0.00"))
    assert (atencion.plan_gap, atencion.priority) == (Decimal("2.00"), Decimal("3.00"))


async def test_self_assessment_with_several_respondents_reports_their_disagreement(database: Database) -> None:
    firm = await make_firm(database, roles=(Role.VIEWER,))
    made = await make_assessment(database, firm.id, kind="self", selves=KNOWN_SELVES)
    async with database.session(tenant_id=firm.id) as db:
        r = await compute_results(db, firm.id, made.assessment_id)
    ventas = r.dimension("ventas")
    assert ventas.score == Decimal("4.33") and ventas.disagreement == 2
    assert [s.key for s in ventas.spreads if s.spread] == ["ventas.pipeline"]
    assert r.respondents == 2 and not r.has_perception_gap


async def test_consultant_validates_a_dimension_score_and_the_computed_one_is_kept(database: Database, client) -> None:  # type: ignore[no-untyped-def]
    firm = await make_firm(database, roles=(Role.CONSULTANT,))
    made = await make_assessment(database, firm.id, consultant=KNOWN_CONSULTANT, selves=KNOWN_SELVES)
    await client.login(firm.email(Role.CONSULTANT), PASSWORD)
    page = await client.get(f"/w/{firm.slug}/assessments/{made.assessment_id}/results")
    assert page.status_code == 200
    async with database.session(tenant_id=firm.id) as db:
        r = await compute_results(db, firm.id, made.assessment_id)
    dim_id = str(r.dimension("atencion_cliente").id)
    response = await client.post(
        f"/w/{firm.slug}/assessments/{made.assessment_id}/overrides",
        {"dimension_id": dim_id, "score": "3", "reason": "Revisamos el tablero de reclamos en sitio."},
    )
    assert response.status_code == 303
    async with database.session(tenant_id=firm.id) as db:
        r = await compute_results(db, firm.id, made.assessment_id)
        audit = await db.scalar(
            select(AuditEvent).where(AuditEvent.tenant_id == firm.id, AuditEvent.entity_type == "dimension_override")
        )
    atencion = r.dimension("atencion_cliente")
    assert (atencion.score, atencion.computed_score, atencion.override_score) == (
        Decimal("3.00"),
        Decimal("1.00"),
        Decimal("3.00"),
    )
    # Front office now (10/3 + 3 × 1.5) / 2.5 = 47/15 = 3.133…
    assert (r.pillar("front_office").score, r.pillar("front_office").level) == (Decimal("3.13"), 3)
    assert audit is not None and audit.after["reason"] == "Revisamos el tablero de reclamos en sitio."
    page = await client.get(f"/w/{firm.slug}/assessments/{made.assessment_id}/results")
    assert "Revisamos el tablero de reclamos en sitio." in page.text


async def test_override_needs_a_score_between_one_and_five_and_a_reason(database: Database, client) -> None:  # type: ignore[no-untyped-def]
    firm = await make_firm(database, roles=(Role.CONSULTANT,))
    made = await make_assessment(database, firm.id, consultant=KNOWN_CONSULTANT)
    await client.login(firm.email(Role.CONSULTANT), PASSWORD)
    await client.get(f"/w/{firm.slug}/assessments/{made.assessment_id}/results")
    async with database.session(tenant_id=firm.id) as db:
        dim_id = str((await compute_results(db, firm.id, made.assessment_id)).dimension("ventas").id)
    for score, reason in (("6", "motivo"), ("0.5", "motivo"), ("abc", "motivo"), ("3", "   ")):
        response = await client.post(
            f"/w/{firm.slug}/assessments/{made.assessment_id}/overrides",
            {"dimension_id": dim_id, "score": score, "reason": reason},
        )
        assert response.status_code == 422, (score, reason)
        assert "field-error" in response.text
    async with database.session(tenant_id=firm.id) as db:
        assert (await compute_results(db, firm.id, made.assessment_id)).dimension("ventas").override_score is None


async def test_override_is_refused_unless_the_assessment_is_submitted(database: Database, client) -> None:  # type: ignore[no-untyped-def]
    firm = await make_firm(database, roles=(Role.CONSULTANT,))
    made = await make_assessment(database, firm.id, status="in_progress", consultant=KNOWN_CONSULTANT)
    await client.login(firm.email(Role.CONSULTANT), PASSWORD)
    page = await client.get(f"/w/{firm.slug}/assessments/{made.assessment_id}/results")
    assert "/overrides" not in page.text
    async with database.session(tenant_id=firm.id) as db:
        dim_id = str((await compute_results(db, firm.id, made.assessment_id)).dimension("ventas").id)
    response = await client.post(
        f"/w/{firm.slug}/assessments/{made.assessment_id}/overrides",
        {"dimension_id": dim_id, "score": "4", "reason": "x"},
    )
    assert response.status_code == 422
    assert "enviada" in response.text


async def test_viewer_reads_results_but_cannot_validate_scores(database: Database, client) -> None:  # type: ignore[no-untyped-def]
    firm = await make_firm(database, roles=(Role.VIEWER,))
    made = await make_assessment(database, firm.id, consultant=KNOWN_CONSULTANT, selves=KNOWN_SELVES)
    await client.login(firm.email(Role.VIEWER), PASSWORD)
    page = await client.get(f"/w/{firm.slug}/assessments/{made.assessment_id}/results")
    assert page.status_code == 200
    assert "<svg" in page.text and "Punto ciego" in page.text and "/overrides" not in page.text
    response = await client.post(
        f"/w/{firm.slug}/assessments/{made.assessment_id}/overrides", {"score": "3", "reason": "x"}
    )
    assert response.status_code == 403


async def test_another_firms_assessment_results_and_overrides_are_not_found(database: Database, client) -> None:  # type: ignore[no-untyped-def]
    mine = await make_firm(database, roles=(Role.OWNER,))
    other = await make_firm(database, roles=(Role.OWNER,))
    theirs = await make_assessment(database, other.id, consultant=KNOWN_CONSULTANT)
    await client.login(mine.email(Role.OWNER), PASSWORD)
    assert (await client.get(f"/w/{mine.slug}/assessments/{theirs.assessment_id}/results")).status_code == 404
    await client.get(f"/w/{mine.slug}")
    response = await client.post(
        f"/w/{mine.slug}/assessments/{theirs.assessment_id}/overrides", {"score": "3", "reason": "x"}
    )
    assert response.status_code == 404
    assert (await client.get(f"/w/{other.slug}/assessments/{theirs.assessment_id}/results")).status_code == 404


async def test_history_lines_appear_once_the_company_has_earlier_published_assessments(
    database: Database, client
) -> None:  # type: ignore[no-untyped-def]
    from ordena.assessments.models import ResultSnapshot
    from ordena.assessments.results import history

    firm = await make_firm(database, roles=(Role.VIEWER,))
    first = await make_assessment(
        database, firm.id, kind="consultant", status="published", consultant={"ventas.pipeline": 2}, title="2024"
    )
    async with database.session(tenant_id=firm.id) as db:
        r = await compute_results(db, firm.id, first.assessment_id)
        db.add(
            ResultSnapshot(
                tenant_id=firm.id,
                assessment_id=first.assessment_id,
                overall=r.overall,
                data={
                    "overall": str(r.overall),
                    "pillars": [{"key": p.key, "score": str(p.score) if p.score else None} for p in r.pillars],
                    "dimensions": [{"key": d.key, "score": str(d.score) if d.score else None} for d in r.dimensions],
                },
            )
        )
        await db.commit()
    second = await make_assessment(
        database,
        firm.id,
        kind="consultant",
        consultant={"ventas.pipeline": 4},
        company_id=first.company_id,
        title="2025",
    )
    async with database.session(tenant_id=firm.id) as db:
        points = await history(db, firm.id, first.company_id)
    assert [(p.title, p.overall, p.dimensions["ventas"]) for p in points] == [
        ("2024", Decimal("2.00"), Decimal("2.00"))
    ]
    await client.login(firm.email(Role.VIEWER), PASSWORD)
    page = await client.get(f"/w/{firm.slug}/assessments/{second.assessment_id}/results")
    assert "chart-lines" in page.text
