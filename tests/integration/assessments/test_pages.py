"""The consultant's pages: list, creation, overview, questionnaire with autosave and without JS."""

from __future__ import annotations

import re
from typing import Any

from ordena.tenancy.models import Role
from tests.factories import PASSWORD
from tests.integration.assessments.helpers import htmx, login, make_world, new_assessment, reload, tree_of


async def test_consultant_creates_an_assessment_from_the_company_and_finds_it_in_the_list(
    client: Any, database: Any
) -> None:
    world = await make_world(database)
    await login(client, world)
    form = await client.get(f"/w/{world.slug}/companies/{world.company.id}/assessments/new")
    assert form.status_code == 200 and "Nueva evaluación" in form.text
    response = await client.post(
        f"/w/{world.slug}/companies/{world.company.id}/assessments/new",
        {"title": "Diagnóstico 2026", "kind": "both", "reminder_days": "5"},
    )
    assert response.status_code == 303
    overview = await client.get(response.headers["location"])
    assert "Diagnóstico 2026" in overview.text and "Borrador" in overview.text
    listing = await client.get(f"/w/{world.slug}/assessments?status=draft")
    assert "Diagnóstico 2026" in listing.text
    assert "Diagnóstico 2026" not in (await client.get(f"/w/{world.slug}/assessments?status=published")).text


async def test_a_bad_target_level_shows_the_form_again_with_the_message(client: Any, database: Any) -> None:
    world = await make_world(database)
    await login(client, world)
    tree = await tree_of(database, world)
    await client.get(f"/w/{world.slug}/companies/{world.company.id}/assessments/new")
    response = await client.post(
        f"/w/{world.slug}/companies/{world.company.id}/assessments/new",
        {"title": "X", "kind": "consultant", f"target_{tree.dimensions[0].key}": "9"},
    )
    assert response.status_code == 422 and "nivel del 1 al 5" in response.text


async def test_consultant_autosaves_an_answer_and_sees_guardado(client: Any, database: Any) -> None:
    world = await make_world(database)
    a = await new_assessment(database, world)
    tree = await tree_of(database, world)
    await login(client, world)
    d = tree.dimensions[0]
    page = await client.get(f"/w/{world.slug}/assessments/{a.id}/q/{d.key}")
    assert (
        page.status_code == 200 and 'hx-post="/w/' in page.text and "No aplica" in page.text
    ) or "Comentario" in page.text
    q = d.questions[0]
    response = await client.post(
        f"/w/{world.slug}/assessments/{a.id}/answers",
        {"question_id": str(q.id), f"level_{q.id}": "4", f"comment_{q.id}": "con CRM"},
        headers=htmx(client),
    )
    assert response.status_code == 200 and "Guardado" in response.text
    assert (await reload(database, world, a.id)).status == "in_progress"
    again = await client.get(f"/w/{world.slug}/assessments/{a.id}/q/{d.key}")
    assert f'name="level_{q.id}" value="4" checked' in again.text and "con CRM" in again.text


async def test_the_autosave_updates_the_answered_counters_out_of_band(client: Any, database: Any) -> None:
    world = await make_world(database)
    a = await new_assessment(database, world)
    tree = await tree_of(database, world)
    await login(client, world)
    d, other = tree.dimensions[0], tree.dimensions[1]
    page = await client.get(f"/w/{world.slug}/assessments/{a.id}/q/{d.key}")
    # The page carries the ids the fragment swaps.
    assert f'id="dim-count-{d.id}"' in page.text and 'id="total-progress"' in page.text
    url = f"/w/{world.slug}/assessments/{a.id}/answers"
    total, in_d = len(tree.questions), len(d.questions)

    def counters(html: str) -> tuple[str, str]:
        dim = re.search(
            rf'<small id="dim-count-{d.id}" class="dim-count[^"]*" hx-swap-oob="true">(\d+/\d+)</small>', html
        )
        whole = re.search(r'<div id="total-progress"[^>]*hx-swap-oob="true">.*?(\d+) de (\d+) respondidas', html)
        assert dim and whole, html
        return dim.group(1), f"{whole.group(1)}/{whole.group(2)}"

    # The first answer starts the draft (the ORM path), the next ones take the one-statement path.
    first = await client.post(url, {"question_id": str(d.questions[0].id), "level": "4"}, headers=htmx(client))
    assert counters(first.text) == (f"1/{in_d}", f"1/{total}")
    second = await client.post(url, {"question_id": str(d.questions[1].id), "level": "5"}, headers=htmx(client))
    assert counters(second.text) == (f"2/{in_d}", f"2/{total}")
    again = await client.post(url, {"question_id": str(d.questions[1].id), "level": "2"}, headers=htmx(client))
    assert "Guardado" in again.text and "hx-swap-oob" not in again.text  # a changed level: counters as they were
    cleared = await client.post(
        url, {"question_id": str(d.questions[0].id), "level": "", "comment": "solo nota"}, headers=htmx(client)
    )
    assert counters(cleared.text) == (f"1/{in_d}", f"1/{total}")  # a comment alone is not an answer
    elsewhere = await client.post(url, {"question_id": str(other.questions[0].id), "level": "3"}, headers=htmx(client))
    assert f'id="dim-count-{other.id}"' in elsewhere.text and f"1/{len(other.questions)}" in elsewhere.text
    assert "2 de" in elsewhere.text
    refused = await client.post(url, {"question_id": str(d.questions[0].id), "level": "9"}, headers=htmx(client))
    assert refused.status_code == 422 and "hx-swap-oob" not in refused.text


async def test_a_level_outside_1_to_5_is_refused_with_422_and_the_saved_answer_is_kept(
    client: Any, database: Any
) -> None:
    world = await make_world(database)
    a = await new_assessment(database, world)
    q = (await tree_of(database, world)).questions[0]
    await login(client, world)
    await client.get(f"/w/{world.slug}/assessments/{a.id}")
    url = f"/w/{world.slug}/assessments/{a.id}/answers"
    assert (await client.post(url, {"question_id": str(q.id), "level": "3"})).status_code == 200
    bad = await client.post(url, {"question_id": str(q.id), "level": "7"}, headers=htmx(client))
    assert bad.status_code == 422 and "del 1 al 5" in bad.text
    page = await client.get(f"/w/{world.slug}/assessments/{a.id}/q/{q.dimension_key}")
    assert f'name="level_{q.id}" value="3" checked' in page.text


async def test_no_aplica_is_refused_where_the_question_does_not_allow_it(client: Any, database: Any) -> None:
    world = await make_world(database)
    a = await new_assessment(database, world)
    tree = await tree_of(database, world)
    strict = next(q for q in tree.questions if not q.allows_na)
    await login(client, world)
    await client.get(f"/w/{world.slug}/assessments/{a.id}")
    response = await client.post(
        f"/w/{world.slug}/assessments/{a.id}/answers", {"question_id": str(strict.id), "level": "na"}
    )
    assert response.status_code == 422 and "No aplica" in response.text


async def test_once_started_no_aplica_is_still_refused_and_the_earlier_answer_kept(client: Any, database: Any) -> None:
    world = await make_world(database)
    a = await new_assessment(database, world)
    tree = await tree_of(database, world)
    strict = next(q for q in tree.questions if not q.allows_na)
    await login(client, world)
    await client.get(f"/w/{world.slug}/assessments/{a.id}")
    url = f"/w/{world.slug}/assessments/{a.id}/answers"
    first = await client.post(url, {"question_id": str(strict.id), "level": "4"}, headers=htmx(client))
    assert first.status_code == 200, "the first answer starts the assessment"
    refused = await client.post(url, {"question_id": str(strict.id), "level": "na"}, headers=htmx(client))
    assert refused.status_code == 422 and "No aplica" in refused.text
    page = await client.get(f"/w/{world.slug}/assessments/{a.id}/q/{strict.dimension_key}")
    assert f'name="level_{strict.id}" value="4" checked' in page.text


async def test_without_javascript_the_guardar_button_saves_every_answer_on_the_page(client: Any, database: Any) -> None:
    world = await make_world(database)
    a = await new_assessment(database, world)
    d = (await tree_of(database, world)).dimensions[0]
    await login(client, world)
    await client.get(f"/w/{world.slug}/assessments/{a.id}/q/{d.key}")
    form = {f"level_{q.id}": str(1 + i % 5) for i, q in enumerate(d.questions)}
    form[f"comment_{d.questions[0].id}"] = "sin proceso"
    response = await client.post(f"/w/{world.slug}/assessments/{a.id}/q/{d.key}", form)
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    for i, q in enumerate(d.questions):
        assert f'name="level_{q.id}" value="{1 + i % 5}" checked' in page.text
    # One bad level: the others are still saved, the page says what to fix.
    form = {f"level_{q.id}": "2" for q in d.questions}
    form[f"level_{d.questions[0].id}"] = "9"
    response = await client.post(f"/w/{world.slug}/assessments/{a.id}/q/{d.key}", form)
    assert response.status_code == 422 and "del 1 al 5" in response.text
    page = await client.get(f"/w/{world.slug}/assessments/{a.id}/q/{d.key}")
    assert f'name="level_{d.questions[1].id}" value="2" checked' in page.text


async def test_lifecycle_buttons_refuse_publishing_an_unvalidated_assessment_with_a_message(
    client: Any, database: Any
) -> None:
    world = await make_world(database)
    a = await new_assessment(database, world)
    await login(client, world)
    await client.get(f"/w/{world.slug}/assessments/{a.id}")
    response = await client.post(f"/w/{world.slug}/assessments/{a.id}/transition", {"action": "publish"})
    assert response.status_code == 409 and "validada" in response.text
    response = await client.post(f"/w/{world.slug}/assessments/{a.id}/transition", {"action": "submit"})
    assert response.status_code == 422 and "Faltan" in response.text
    response = await client.post(f"/w/{world.slug}/assessments/{a.id}/transition", {"action": "submit", "confirm": "1"})
    assert response.status_code == 303
    assert (await reload(database, world, a.id)).status == "submitted"


async def test_a_viewer_reads_the_questionnaire_but_cannot_answer(client: Any, database: Any) -> None:
    world = await make_world(database)
    a = await new_assessment(database, world)
    q = (await tree_of(database, world)).questions[0]
    await client.login(world.firm.email(Role.VIEWER), PASSWORD)
    page = await client.get(f"/w/{world.slug}/assessments/{a.id}/q/{q.dimension_key}")
    assert page.status_code == 200 and "Solo lectura" in page.text
    assert (
        await client.post(f"/w/{world.slug}/assessments/{a.id}/answers", {"question_id": str(q.id), "level": "3"})
    ).status_code == 403


async def test_another_firms_assessment_is_404_on_every_page(client: Any, database: Any) -> None:
    mine = await make_world(database)
    theirs = await make_world(database)
    a = await new_assessment(database, theirs, kind="both")
    q = (await tree_of(database, theirs)).questions[0]
    await login(client, mine)
    base = f"/w/{mine.slug}/assessments/{a.id}"
    for path in (
        base,
        f"{base}/q/{q.dimension_key}",
        f"{base}/evidence/{a.id}/download",
        f"/w/{mine.slug}/companies/{theirs.company.id}/assessments/new",
    ):
        assert (await client.get(path)).status_code == 404, path
    await client.get(f"/w/{mine.slug}/assessments")
    for path, data in (
        (f"{base}/answers", {"question_id": str(q.id), "level": "3"}),
        (f"{base}/q/{q.dimension_key}", {f"level_{q.id}": "3"}),
        (f"{base}/transition", {"action": "start"}),
        (f"{base}/invite", {"contact_ids": str(theirs.contacts[0].id)}),
        (f"/w/{mine.slug}/companies/{theirs.company.id}/assessments/new", {"kind": "consultant"}),
    ):
        assert (await client.post(path, data)).status_code == 404, path
    assert (await reload(database, theirs, a.id)).status == "draft"
