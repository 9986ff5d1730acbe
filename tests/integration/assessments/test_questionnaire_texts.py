"""The questionnaire's framework texts are built once per framework tree and locale
(``assessments.questionnaire_texts``): a published version's are reused, a draft's are never
served after an edit, each locale has its own, and a firm's own framework stays its own."""

from __future__ import annotations

import pytest

from ordena.assessments.questionnaire_texts import questionnaire_texts
from ordena.audit.services import Actor
from ordena.db.engine import Database
from ordena.frameworks import editing, services
from ordena.frameworks.editing import question_values
from ordena.frameworks.models import Question
from ordena.lib.errors import NotFound
from ordena.lib.i18n import use_locale
from ordena.tenancy.models import Role
from tests.factories import make_firm


async def test_a_published_version_builds_its_texts_once_per_locale(database: Database) -> None:
    async with database.session() as db:
        version_id = (await services.default_version(db)).id
        with use_locale("es"):
            es = questionnaire_texts(await services.structure(db, version_id))
            again = questionnaire_texts(await services.structure(db, version_id))
        with use_locale("en"):
            en = questionnaire_texts(await services.structure(db, version_id))
    assert again is es, "the published tree is cached, and its texts with it"
    assert en is not es and en.locale == "en" and es.locale == "es"
    q_es, q_en = es.dimensions[0].questions[0], en.dimensions[0].questions[0]
    assert q_es.id == q_en.id and q_es.text != q_en.text
    assert 'value="3" checked>' in q_en.levels_html("3") and "checked" not in q_en.levels_html("")


async def test_an_edit_of_a_draft_shows_on_the_next_read(database: Database) -> None:
    firm = await make_firm(database, roles=(Role.PARTNER,))
    actor = Actor(None, "test")
    async with database.session(tenant_id=firm.id) as db:
        draft = await editing.clone(db, firm.id, actor, (await services.default_version(db)).id)
        await db.commit()
    with use_locale("es"):
        async with database.session(tenant_id=firm.id) as db:
            before = questionnaire_texts(await services.structure(db, draft.id))
            first = before.dimensions[0].questions[0]
            question = await db.get(Question, first.id)
            assert question is not None
            values = {**question_values(question), "text_es": "¿Se cierra la caja cada día?", "level_3_es": "Cada día"}
            await editing.update_question(db, firm.id, actor, first.id, values)
            await db.commit()
        async with database.session(tenant_id=firm.id) as db:
            after = questionnaire_texts(await services.structure(db, draft.id))
    edited = after.dimensions[0].questions[0]
    assert edited.text == "¿Se cierra la caja cada día?" and "— Cada día</span>" in edited.levels_html("")
    assert before.dimensions[0].questions[0].text != edited.text


async def test_a_firms_own_framework_is_not_reached_by_another_firm(database: Database) -> None:
    theirs = await make_firm(database, roles=(Role.PARTNER,))
    mine = await make_firm(database, roles=(Role.PARTNER,))
    async with database.session(tenant_id=theirs.id) as db:
        draft = await editing.clone(db, theirs.id, Actor(None, "test"), (await services.default_version(db)).id)
        await db.commit()
        await editing.publish(db, theirs.id, Actor(None, "test"), draft.id)
        await db.commit()
        questionnaire_texts(await services.structure(db, draft.id))
    async with database.session(tenant_id=mine.id) as db:
        with pytest.raises(NotFound):
            await services.structure(db, draft.id)
