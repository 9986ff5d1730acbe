"""Publishing an incomplete assessment: the completeness is shown per side and per dimension,
publishing below the firm's threshold needs a reason (pages and API), the reason and the
completeness land in the audit log, and the results state the completeness next to scores."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from ordena.accounts import api_tokens
from ordena.assessments.answers import parse_answer, save_answer
from ordena.assessments.completeness import PublishNeedsReason
from ordena.assessments.lifecycle import transition
from ordena.audit.models import AuditEvent
from ordena.tenancy.models import Role
from tests.integration.assessments.helpers import World, login, make_world, new_assessment, reload, tree_of


async def _validated_with(database: Any, world: World, answered: int, *, kind: str = "consultant") -> Any:
    """A consultant assessment with ``answered`` questions answered (level 4), validated."""
    a = await new_assessment(database, world, kind=kind)
    tree = await tree_of(database, world)
    async with database.session(tenant_id=world.tenant_id) as db:
        for q in tree.questions[:answered]:
            await save_answer(db, world.tenant_id, a.id, q.id, parse_answer("4"), world.actor)
        for action in ("submit", "validate"):
            await transition(db, world.tenant_id, a.id, action, world.actor, confirm=True)
        await db.commit()
    return a


async def _publish_audit(database: Any, world: World, assessment_id: Any) -> AuditEvent:
    async with database.session(tenant_id=world.tenant_id) as db:
        row = await db.scalar(
            select(AuditEvent).where(
                AuditEvent.tenant_id == world.tenant_id,
                AuditEvent.entity_id == str(assessment_id),
                AuditEvent.action == "publish",
            )
        )
    assert row is not None
    return row


async def test_publishing_3_answers_asks_for_a_reason_then_publishes_with_it_in_the_audit_log(
    client: Any, database: Any
) -> None:
    world = await make_world(database)
    tree = await tree_of(database, world)
    a = await _validated_with(database, world, 3)
    await login(client, world)
    base = f"/w/{world.slug}/assessments/{a.id}"
    overview = await client.get(base)
    assert "Completitud antes de publicar" in overview.text
    assert f"3/{len(tree.questions)}" in overview.text  # the consultant side
    first = tree.dimensions[0]
    assert f"{min(3, len(first.questions))}/{len(first.questions)}" in overview.text  # per dimension
    assert 'name="reason"' in overview.text

    refused = await client.post(f"{base}/transition", {"action": "publish"})
    assert refused.status_code == 422
    assert 'id="e-reason"' in refused.text and "Escribe el motivo para publicar" in refused.text
    assert (await reload(database, world, a.id)).status == "validated"

    done = await client.post(
        f"{base}/transition", {"action": "publish", "reason": "  Piloto acordado con el gerente. "}
    )
    assert done.status_code == 303
    assert (await reload(database, world, a.id)).status == "published"
    audit = await _publish_audit(database, world, a.id)
    assert audit.after is not None
    assert audit.after["reason"] == "Piloto acordado con el gerente."
    side = audit.after["completeness"]["sides"]["consultant"]
    assert side["answered"] == 3 and side["questions"] == len(tree.questions)
    assert audit.after["completeness"]["threshold_pct"] == 80


async def test_a_complete_assessment_publishes_without_a_reason(client: Any, database: Any) -> None:
    world = await make_world(database)
    tree = await tree_of(database, world)
    a = await _validated_with(database, world, len(tree.questions))
    await login(client, world)
    overview = await client.get(f"/w/{world.slug}/assessments/{a.id}")
    assert 'name="reason"' not in overview.text
    response = await client.post(f"/w/{world.slug}/assessments/{a.id}/transition", {"action": "publish"})
    assert response.status_code == 303
    audit = await _publish_audit(database, world, a.id)
    assert audit.after is not None and "reason" not in audit.after


async def test_the_owner_sets_the_threshold_and_a_bad_value_is_shown_next_to_the_field(
    client: Any, database: Any
) -> None:
    world = await make_world(database)
    await login(client, world, Role.OWNER)
    settings = f"/w/{world.slug}/settings"
    page = await client.get(settings)
    assert 'name="publish_threshold_pct"' in page.text and 'value="80"' in page.text
    assert 'min="0" max="100"' in page.text
    base = {"name": "Firma", "brand_color": "#1f6f5c", "locale": "es"}
    for bad in ("150", "-1", "ochenta"):
        response = await client.post(settings, {**base, "publish_threshold_pct": bad})
        assert response.status_code == 422 and 'id="e-publish_threshold_pct"' in response.text
        assert "entre 0 y 100" in response.text and f'value="{bad}"' in response.text
    assert (await client.post(settings, {**base, "publish_threshold_pct": "0"})).status_code == 303

    a = await _validated_with(database, world, 2)
    response = await client.post(f"/w/{world.slug}/assessments/{a.id}/transition", {"action": "publish"})
    assert response.status_code == 303  # at 0 % nothing asks for a reason


async def test_the_api_refuses_publishing_below_the_threshold_without_a_reason(client: Any, database: Any) -> None:
    world = await make_world(database)
    a = await _validated_with(database, world, 4)
    async with database.session() as db:
        secret, _row = await api_tokens.create(db, world.firm.users[Role.CONSULTANT].id, "api")
        await db.commit()
    h = {"authorization": f"Bearer {secret}"}
    url = f"/api/v1/w/{world.slug}/assessments/{a.id}/transition"
    refused = await client.client.post(url, json={"action": "publish"}, headers=h)
    assert refused.status_code == 422 and "reason" in refused.json()["errors"]
    ok = await client.client.post(url, json={"action": "publish", "reason": "Cliente pidió el avance."}, headers=h)
    assert ok.status_code == 200 and ok.json()["status"] == "published"
    assert (await _publish_audit(database, world, a.id)).after["reason"] == "Cliente pidió el avance."  # type: ignore[index]


async def test_both_sides_are_counted_and_the_weaker_one_decides(database: Any) -> None:
    world = await make_world(database)
    tree = await tree_of(database, world)
    a = await _validated_with(database, world, len(tree.questions), kind="both")
    async with database.session(tenant_id=world.tenant_id) as db:
        with pytest.raises(PublishNeedsReason) as refused:  # the client side has no answers
            await transition(db, world.tenant_id, a.id, "publish", world.actor)
    sides = {s.side: s.share for s in refused.value.readiness.sides}
    assert sides == {"consultant": 1, "self": 0}


async def test_results_state_the_completeness_next_to_scores_on_partial_answers(client: Any, database: Any) -> None:
    world = await make_world(database)
    tree = await tree_of(database, world)
    full = tree.dimensions[0]
    a = await new_assessment(database, world)
    async with database.session(tenant_id=world.tenant_id) as db:
        for q in full.questions:  # the first dimension complete, the rest untouched
            await save_answer(db, world.tenant_id, a.id, q.id, parse_answer("3"), world.actor)
        await db.commit()
    await login(client, world)
    page = await client.get(f"/w/{world.slug}/assessments/{a.id}/results")
    assert page.status_code == 200
    share = len(full.questions) / len(tree.questions)
    overall_pct = f"{int(share * 100)}% respondido"
    assert overall_pct in page.text  # overall rests on part of the questions
    pillar_questions = sum(len(d.questions) for d in tree.pillars[0].dimensions)
    if pillar_questions != len(full.questions):
        assert f"{int(len(full.questions) * 100 / pillar_questions)}% respondido" in page.text
    assert "100% respondido" not in page.text  # a complete dimension carries no note
    assert page.text.count("respondido</span>") == 1 + (pillar_questions != len(full.questions))


async def test_results_and_dashboard_explain_the_level_bands(client: Any, database: Any) -> None:
    world = await make_world(database)
    tree = await tree_of(database, world)
    a = await _validated_with(database, world, len(tree.questions))
    async with database.session(tenant_id=world.tenant_id) as db:
        await transition(db, world.tenant_id, a.id, "publish", world.actor)
        await db.commit()
    await login(client, world)
    # es-PE writes decimals with a point.
    legend = [
        "1.00–1.79 Inicial",
        "1.80–2.59 Gestionado",
        "2.60–3.39 Definido",
        "3.40–4.19 Medido",
        "4.20–5.00 Optimizado",
    ]
    for path in (f"/w/{world.slug}/assessments/{a.id}/results", f"/w/{world.slug}"):
        page = (await client.get(path)).text
        plain = " ".join(re.sub(r"<[^>]+>", " ", page).split())
        for band in legend:
            assert re.search(re.escape(band.split()[0]) + r"\s+" + band.split()[1], plain), (path, band)
        assert 'title="Nivel 4: puntajes de 3.40 a 4.19"' in page  # the badge's tooltip
