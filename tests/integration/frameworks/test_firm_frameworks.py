"""A firm's own framework: clone the default, edit the draft, publish, new version; shared RLS."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from ordena.audit.models import AuditEvent
from ordena.audit.services import Actor
from ordena.db.engine import Database
from ordena.frameworks import editing, services
from ordena.frameworks.models import FrameworkVersion, Question
from ordena.tenancy.models import Role
from tests.factories import PASSWORD, FirmFixture, make_firm

VERSION_RE = re.compile(r"/frameworks/versions/([0-9a-f-]{36})")


def question_form(**changes: str) -> dict[str, str]:
    form = {
        "text_es": "¿Se concilian las cuentas cada mes?",
        "text_en": "Are accounts reconciled monthly?",
        "weight": "1.5",
    }
    for lvl in "12345":
        form[f"level_{lvl}_es"] = f"Descriptor {lvl}"
        form[f"level_{lvl}_en"] = f"Descriptor {lvl} en"
    form.update(changes)
    return form


async def default_version_id(database: Database, firm: FirmFixture) -> uuid.UUID:
    async with database.session(tenant_id=firm.id) as db:
        return (await services.default_version(db)).id


async def clone_default(database: Database, client, firm: FirmFixture) -> uuid.UUID:  # type: ignore[no-untyped-def]
    source = await default_version_id(database, firm)
    await client.get(f"/w/{firm.slug}/frameworks")
    response = await client.post(f"/w/{firm.slug}/frameworks/versions/{source}/clone")
    assert response.status_code == 303, response.text[:300]
    match = VERSION_RE.search(response.headers["location"])
    assert match
    return uuid.UUID(match.group(1))


async def test_viewer_sees_the_default_framework_in_the_models_menu(database: Database, client) -> None:  # type: ignore[no-untyped-def]
    firm = await make_firm(database, roles=(Role.VIEWER,))
    await client.login(firm.email(Role.VIEWER), PASSWORD)
    page = await client.get(f"/w/{firm.slug}/frameworks")
    assert page.status_code == 200
    assert "Ordena — Front y Back Office" in page.text and f'href="/w/{firm.slug}/frameworks"' in page.text
    assert "/clone" not in page.text  # cloning is for partners
    version = await default_version_id(database, firm)
    detail = await client.get(f"/w/{firm.slug}/frameworks/versions/{version}")
    assert detail.status_code == 200 and "Ventas" in detail.text
    await client.get(f"/w/{firm.slug}")
    assert (await client.post(f"/w/{firm.slug}/frameworks/versions/{version}/clone")).status_code == 403


async def test_partner_clones_edits_and_publishes_a_firm_framework_then_it_is_immutable(
    database: Database, client
) -> None:  # type: ignore[no-untyped-def]
    firm = await make_firm(database, roles=(Role.PARTNER,))
    await client.login(firm.email(Role.PARTNER), PASSWORD)
    draft_id = await clone_default(database, client, firm)
    async with database.session(tenant_id=firm.id) as db:
        tree = await services.structure(db, draft_id)
        assert tree.status == "draft" and tree.version == 1 and tree.owner_tenant_id == firm.id
        assert len(tree.questions) == 64 and len(tree.dimensions) == 13
        assert all(d.initiatives for d in tree.dimensions)
        first = tree.dimension("ventas").questions[0]
        ventas_id = tree.dimension("ventas").id

    # Edit a question: a field error is shown next to the field, with the typed values kept.
    page = await client.get(f"/w/{firm.slug}/frameworks/questions/{first.id}/edit")
    assert page.status_code == 200
    bad = await client.post(f"/w/{firm.slug}/frameworks/questions/{first.id}", question_form(text_es="", weight="0"))
    assert bad.status_code == 422
    assert 'id="e-text_es"' in bad.text and 'id="e-weight"' in bad.text and "Descriptor 3 en" in bad.text
    ok = await client.post(f"/w/{firm.slug}/frameworks/questions/{first.id}", question_form(allows_na="on"))
    assert ok.status_code == 303
    # Add and remove questions.
    await client.get(f"/w/{firm.slug}/frameworks/dimensions/{ventas_id}/questions/new")
    added = await client.post(
        f"/w/{firm.slug}/frameworks/dimensions/{ventas_id}/questions", question_form(text_es="Nueva pregunta")
    )
    assert added.status_code == 303
    second = tree.dimension("ventas").questions[1]
    assert (await client.post(f"/w/{firm.slug}/frameworks/questions/{second.id}/delete")).status_code == 303
    async with database.session(tenant_id=firm.id) as db:
        tree = await services.structure(db, draft_id)
        ventas = tree.dimension("ventas")
        assert ventas.questions[0].text["en"] == "Are accounts reconciled monthly?"
        assert ventas.questions[0].allows_na and str(ventas.questions[0].weight) == "1.500"
        assert ventas.questions[-1].text["es"] == "Nueva pregunta"
        assert len(tree.questions) == 64  # one added, one removed
        assert all(q.key != second.key for q in ventas.questions)
        # The platform's default is untouched.
        default = await services.structure(db, (await services.default_version(db)).id)
        assert default.dimension("ventas").questions[0].text["es"] != "¿Se concilian las cuentas cada mes?"

    assert (await client.post(f"/w/{firm.slug}/frameworks/versions/{draft_id}/publish")).status_code == 303
    # Published: editing is refused, and "new version" copies it into a new draft.
    refused = await client.post(f"/w/{firm.slug}/frameworks/questions/{first.id}", question_form(text_es="Otra"))
    assert refused.status_code == 409
    assert (await client.post(f"/w/{firm.slug}/frameworks/questions/{first.id}/delete")).status_code == 409
    assert (await client.post(f"/w/{firm.slug}/frameworks/versions/{draft_id}/publish")).status_code == 409
    new = await client.post(f"/w/{firm.slug}/frameworks/versions/{draft_id}/new-version")
    assert new.status_code == 303
    v2 = uuid.UUID(VERSION_RE.search(new.headers["location"]).group(1))  # type: ignore[union-attr]
    async with database.session(tenant_id=firm.id) as db:
        v1_tree = await services.structure(db, draft_id)
        v2_tree = await services.structure(db, v2)
        events = list(await db.scalars(select(AuditEvent.entity_type).where(AuditEvent.tenant_id == firm.id)))
    assert (
        v1_tree.status == "published"
        and v1_tree.dimension("ventas").questions[0].text["es"] == "¿Se concilian las cuentas cada mes?"
    )
    assert (v2_tree.status, v2_tree.version, len(v2_tree.questions)) == ("draft", 2, 64)
    assert {"framework", "framework_question", "framework_version"} <= set(events)
    assert (
        await client.post(f"/w/{firm.slug}/frameworks/versions/{draft_id}/new-version")
    ).status_code == 409  # one draft at a time


async def test_the_platform_framework_cannot_be_edited_through_a_firm(database: Database, client) -> None:  # type: ignore[no-untyped-def]
    firm = await make_firm(database, roles=(Role.OWNER,))
    await client.login(firm.email(Role.OWNER), PASSWORD)
    async with database.session(tenant_id=firm.id) as db:
        tree = await services.structure(db, (await services.default_version(db)).id)
    q = tree.questions[0]
    assert (await client.get(f"/w/{firm.slug}/frameworks/questions/{q.id}/edit")).status_code == 404
    await client.get(f"/w/{firm.slug}/frameworks")
    assert (await client.post(f"/w/{firm.slug}/frameworks/questions/{q.id}", question_form())).status_code == 404
    assert (await client.post(f"/w/{firm.slug}/frameworks/versions/{tree.version_id}/publish")).status_code == 404


async def test_another_firms_framework_is_not_found_on_every_route(database: Database, client) -> None:  # type: ignore[no-untyped-def]
    theirs = await make_firm(database, roles=(Role.PARTNER,))
    mine = await make_firm(database, roles=(Role.OWNER,))
    async with database.session(tenant_id=theirs.id) as db:
        copy = await editing.clone(db, theirs.id, Actor(None, "test"), (await services.default_version(db)).id)
        await db.commit()
        their_version = copy.id
        tree = await services.structure(db, their_version)
    q, d = tree.questions[0], tree.dimensions[0]
    await client.login(mine.email(Role.OWNER), PASSWORD)
    base = f"/w/{mine.slug}/frameworks"
    for path in (
        f"{base}/versions/{their_version}",
        f"{base}/questions/{q.id}/edit",
        f"{base}/dimensions/{d.id}/questions/new",
    ):
        assert (await client.get(path)).status_code == 404, path
    await client.get(base)
    for path, form in (
        (f"{base}/versions/{their_version}/clone", {}),
        (f"{base}/versions/{their_version}/publish", {}),
        (f"{base}/versions/{their_version}/new-version", {}),
        (f"{base}/dimensions/{d.id}/weight", {"weight": "2"}),
        (f"{base}/questions/{q.id}", question_form()),
        (f"{base}/dimensions/{d.id}/questions", question_form()),
        (f"{base}/questions/{q.id}/delete", {}),
    ):
        assert (await client.post(path, form)).status_code == 404, path
    assert "(copia)" not in (await client.get(base)).text


async def test_shared_rls_keeps_firm_frameworks_apart_and_platform_rows_read_only(database: Database, client) -> None:  # type: ignore[no-untyped-def]
    a = await make_firm(database, roles=(Role.PARTNER,))
    b = await make_firm(database, roles=(Role.PARTNER,))
    await client.login(b.email(Role.PARTNER), PASSWORD)
    b_version = await clone_default(database, client, b)
    async with database.session(tenant_id=a.id) as db:
        platform_id = (await services.default_version(db)).id
        # Firm A reads platform rows but none of firm B's.
        assert await db.scalar(text("SELECT count(*) FROM fw_question WHERE version_id = :v"), {"v": platform_id}) == 64
        assert await db.scalar(text("SELECT count(*) FROM fw_question WHERE owner_tenant_id = :b"), {"b": b.id}) == 0
        assert await db.scalar(text("SELECT count(*) FROM framework_version WHERE id = :v"), {"v": b_version}) == 0
        changed = await db.execute(text("UPDATE fw_question SET weight = 9 WHERE owner_tenant_id = :b"), {"b": b.id})
        assert changed.rowcount == 0  # type: ignore[attr-defined]
        deleted = await db.execute(text("DELETE FROM fw_question WHERE owner_tenant_id = :b"), {"b": b.id})
        assert deleted.rowcount == 0  # type: ignore[attr-defined]
        # Nobody may modify platform rows as the app role (not visible to UPDATE/DELETE's check, or refused).
        updated = await db.execute(text("UPDATE fw_question SET weight = 9 WHERE version_id = :v"), {"v": platform_id})
        assert updated.rowcount == 0  # type: ignore[attr-defined]
        gone = await db.execute(text("DELETE FROM fw_question WHERE version_id = :v"), {"v": platform_id})
        assert gone.rowcount == 0  # type: ignore[attr-defined]
        await db.rollback()
    async with database.session(tenant_id=a.id) as db:
        # Writing a row owned by another firm or by the platform is refused by WITH CHECK.
        for owner in (b.id, None):
            with pytest.raises(DBAPIError):
                await db.execute(
                    text(
                        "INSERT INTO framework (id, key, name, description, owner_tenant_id, created_at, updated_at) "
                        "VALUES (gen_random_uuid(), :k, '{}'::jsonb, '{}'::jsonb, :o, now(), now())"
                    ),
                    {"k": f"intruso-{uuid.uuid4().hex[:6]}", "o": owner},
                )
            await db.rollback()
    async with database.session(tenant_id=b.id) as db:
        # Firm B still reads its own copy and the platform's.
        assert await db.scalar(select(FrameworkVersion.id).where(FrameworkVersion.id == b_version)) == b_version
        assert await db.scalar(text("SELECT count(*) FROM fw_question WHERE owner_tenant_id = :b"), {"b": b.id}) == 64
        assert await db.scalar(select(Question.id).where(Question.version_id == platform_id).limit(1)) is not None
