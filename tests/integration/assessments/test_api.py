"""The assessments JSON API (Bearer tokens), on the same services as the pages."""

from __future__ import annotations

from typing import Any

from ordena.accounts import api_tokens
from ordena.tenancy.models import Role
from tests.integration.assessments.helpers import make_world, new_assessment, tree_of


async def _bearer(database: Any, user_id: Any) -> dict[str, str]:
    async with database.session() as db:
        secret, _row = await api_tokens.create(db, user_id, "api")
        await db.commit()
    return {"authorization": f"Bearer {secret}"}


async def test_an_integration_creates_answers_submits_validates_publishes_and_reads_results(
    client: Any, database: Any
) -> None:
    world = await make_world(database)
    tree = await tree_of(database, world)
    h = await _bearer(database, world.firm.users[Role.CONSULTANT].id)
    api = client.client
    base = f"/api/v1/w/{world.slug}/assessments"
    created = await api.post(
        base, json={"company_id": str(world.company.id), "kind": "consultant", "title": "API 2026"}, headers=h
    )
    assert created.status_code == 201, created.text
    aid = created.json()["id"]
    bad = await api.put(
        f"{base}/{aid}/answers",
        json={
            "answers": [
                {"question_id": str(tree.questions[0].id), "level": 3},
                {"question_id": str(tree.questions[1].id), "level": 8},
            ]
        },
        headers=h,
    )
    assert bad.status_code == 422
    assert (await api.get(f"{base}/{aid}/answers", headers=h)).json() == []  # all or nothing
    ok = await api.put(
        f"{base}/{aid}/answers",
        json={"answers": [{"question_id": str(q.id), "level": 4, "comment": "ok"} for q in tree.questions]},
        headers=h,
    )
    assert ok.status_code == 200 and len(ok.json()) == len(tree.questions)
    early = await api.post(f"{base}/{aid}/transition", json={"action": "publish"}, headers=h)
    assert early.status_code == 409
    for action in ("submit", "validate", "publish"):
        step = await api.post(f"{base}/{aid}/transition", json={"action": action}, headers=h)
        assert step.status_code == 200, step.text
    assert (await api.get(f"{base}/{aid}", headers=h)).json()["status"] == "published"
    assert (await api.get(f"{base}?status=published", headers=h)).json()["total"] == 1
    results = await api.get(f"{base}/{aid}/results", headers=h)
    assert results.status_code == 200 and float(results.json()["overall"]) == 4.0


async def test_the_api_answers_404_for_another_firms_assessment(client: Any, database: Any) -> None:
    mine = await make_world(database)
    theirs = await make_world(database)
    a = await new_assessment(database, theirs)
    q = (await tree_of(database, theirs)).questions[0]
    h = await _bearer(database, mine.firm.users[Role.OWNER].id)
    api = client.client
    base = f"/api/v1/w/{mine.slug}/assessments/{a.id}"
    for method, path, body in (
        ("GET", base, None),
        ("GET", f"{base}/answers", None),
        ("GET", f"{base}/results", None),
        ("PUT", f"{base}/answers", {"answers": [{"question_id": str(q.id), "level": 3}]}),
        ("POST", f"{base}/transition", {"action": "start"}),
        ("POST", f"/api/v1/w/{mine.slug}/assessments", {"company_id": str(theirs.company.id)}),
    ):
        r = await api.request(method, path, json=body, headers=h)
        assert r.status_code == 404, (method, path, r.status_code)
    assert (await api.get(f"/api/v1/w/{theirs.slug}/assessments", headers=h)).status_code == 404
