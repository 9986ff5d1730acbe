"""A firm's own framework in use: renamed, pillars and dimensions edited in the draft, made the
firm's default, and chosen for a new assessment (never another firm's)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import select

from ordena.assessments.models import Assessment
from ordena.audit.models import AuditEvent
from ordena.db.engine import Database
from ordena.frameworks import services
from ordena.frameworks.models import Dimension, Framework, FrameworkVersion, Pillar
from ordena.tenancy.models import Role
from tests.factories import PASSWORD, FirmFixture, make_firm
from tests.integration.assessments.helpers import make_world
from tests.integration.frameworks.test_firm_frameworks import clone_default, question_form

DIM_RE = re.compile(r'id="dim-(dim_[0-9a-f]+)"')


async def _partner(database: Database, client: Any) -> FirmFixture:
    firm = await make_firm(database, roles=(Role.OWNER, Role.PARTNER, Role.CONSULTANT))
    await client.login(firm.email(Role.PARTNER), PASSWORD)
    return firm


async def _tree(database: Database, firm: FirmFixture, version_id: uuid.UUID) -> services.FrameworkStructure:
    async with database.session(tenant_id=firm.id) as db:
        return await services.structure(db, version_id)


async def _add_dimension(client: Any, firm: FirmFixture, pillar_id: uuid.UUID, name: str) -> str:
    r = await client.post(
        f"/w/{firm.slug}/frameworks/pillars/{pillar_id}/dimensions", {"name_es": name, "name_en": name + " EN"}
    )
    assert r.status_code == 303, r.text[:500]
    return str(r.headers["location"]).split("#dim-")[1]


async def test_partner_renames_the_copy_and_reshapes_its_draft(database: Database, client: Any) -> None:
    firm = await _partner(database, client)
    draft = await clone_default(database, client, firm)
    tree = await _tree(database, firm, draft)
    r = await client.post(
        f"/w/{firm.slug}/frameworks/{tree.framework_id}",
        {"name_es": "Modelo Andino", "name_en": "Andean model", "description_es": "Para pymes del sur"},
    )
    assert r.status_code == 303
    # A missing Spanish name is refused next to the field, keeping what was typed.
    bad = await client.post(f"/w/{firm.slug}/frameworks/{tree.framework_id}", {"name_es": " ", "name_en": "Kept"})
    assert bad.status_code == 422 and "Escribe el nombre en español" in bad.text and 'value="Kept"' in bad.text

    r = await client.post(f"/w/{firm.slug}/frameworks/versions/{draft}/pillars", {"name_es": "Sostenibilidad"})
    assert r.status_code == 303
    tree = await _tree(database, firm, draft)
    new_pillar = tree.pillars[-1]
    assert tree.label(new_pillar.name) == "Sostenibilidad" and not new_pillar.dimensions
    dim_key = await _add_dimension(client, firm, new_pillar.id, "Huella de carbono")
    second = await _add_dimension(client, firm, new_pillar.id, "Economía circular")

    # Reorder: the new pillar up one place; the second dimension above the first.
    await client.post(f"/w/{firm.slug}/frameworks/pillars/{new_pillar.id}/move", {"direction": "up"})
    tree = await _tree(database, firm, draft)
    assert tree.pillars[-2].id == new_pillar.id
    second_id = tree.dimension(second).id
    await client.post(f"/w/{firm.slug}/frameworks/dimensions/{second_id}/move", {"direction": "up"})
    tree = await _tree(database, firm, draft)
    assert [d.key for d in tree.pillar(new_pillar.key).dimensions] == [second, dim_key]
    page = await client.get(f"/w/{firm.slug}/frameworks/versions/{draft}")
    assert page.status_code == 200 and "Modelo Andino" in page.text and "Agregar pilar" in page.text
    assert f"/pillars/{new_pillar.id}/move" in page.text and f"/dimensions/{second_id}/delete" in page.text
    for path in (f"pillars/{new_pillar.id}/edit", f"dimensions/{second_id}/edit", f"{tree.framework_id}/edit"):
        assert (await client.get(f"/w/{firm.slug}/frameworks/{path}")).status_code == 200, path

    # Rename the dimension, remove the other; an empty dimension blocks publishing.
    first_id = tree.dimension(dim_key).id
    r = await client.post(f"/w/{firm.slug}/frameworks/dimensions/{first_id}", {"name_es": "Emisiones"})
    assert r.status_code == 303
    assert (await client.post(f"/w/{firm.slug}/frameworks/dimensions/{second_id}/delete")).status_code == 303
    refused = await client.post(f"/w/{firm.slug}/frameworks/versions/{draft}/publish")
    assert refused.status_code == 422
    await client.post(f"/w/{firm.slug}/frameworks/dimensions/{first_id}/questions", question_form(allows_na="on"))
    # Remove a whole pillar of the default model (with its dimensions).
    removed = tree.pillars[0]
    assert (await client.post(f"/w/{firm.slug}/frameworks/pillars/{removed.id}/delete")).status_code == 303
    assert (await client.post(f"/w/{firm.slug}/frameworks/versions/{draft}/publish")).status_code == 303

    tree = await _tree(database, firm, draft)
    assert tree.label(tree.name) == "Modelo Andino"
    assert removed.key not in [p.key for p in tree.pillars] and tree.dimension(dim_key).questions[0].allows_na
    async with database.session(tenant_id=firm.id) as db:
        actions = set(
            (
                await db.execute(
                    select(AuditEvent.action, AuditEvent.entity_type).where(AuditEvent.tenant_id == firm.id)
                )
            ).tuples()
        )
    assert {("create", "framework_pillar"), ("delete", "framework_pillar"), ("update", "framework")} <= actions
    assert {("create", "framework_dimension"), ("delete", "framework_dimension")} <= actions
    # Published: the outline no longer changes.
    assert (await client.post(f"/w/{firm.slug}/frameworks/pillars/{new_pillar.id}/delete")).status_code == 409


async def test_another_firm_cannot_touch_the_outline(database: Database, client: Any) -> None:
    owner = await _partner(database, client)
    draft = await clone_default(database, client, owner)
    tree = await _tree(database, owner, draft)
    pillar, dim = tree.pillars[0], tree.pillars[0].dimensions[0]
    other = await make_firm(database, roles=(Role.PARTNER,))
    client.client.cookies.clear()
    client.csrf = None
    await client.login(other.email(Role.PARTNER), PASSWORD)
    base = f"/w/{other.slug}/frameworks"
    await client.get(base)
    for path in (
        f"{base}/{tree.framework_id}",
        f"{base}/versions/{draft}/pillars",
        f"{base}/pillars/{pillar.id}",
        f"{base}/pillars/{pillar.id}/delete",
        f"{base}/pillars/{pillar.id}/dimensions",
        f"{base}/dimensions/{dim.id}",
        f"{base}/dimensions/{dim.id}/delete",
        f"{base}/versions/{draft}/default",
    ):
        assert (await client.post(path, {"name_es": "X", "direction": "up"})).status_code == 404, path
    for path in (f"{base}/pillars/{pillar.id}/move", f"{base}/dimensions/{dim.id}/move"):
        assert (await client.post(path, {"direction": "up"})).status_code == 404, path
    async with database.session(tenant_id=owner.id) as db:
        assert await db.get(Pillar, pillar.id) is not None and await db.get(Dimension, dim.id) is not None


async def _published_copy(database: Database, client: Any, firm: FirmFixture) -> services.FrameworkStructure:
    draft = await clone_default(database, client, firm)
    tree = await _tree(database, firm, draft)
    await client.post(f"/w/{firm.slug}/frameworks/{tree.framework_id}", {"name_es": "Modelo propio"})
    dim_key = await _add_dimension(client, firm, tree.pillars[0].id, "Innovación")
    dim_id = (await _tree(database, firm, draft)).dimension(dim_key).id
    await client.post(f"/w/{firm.slug}/frameworks/dimensions/{dim_id}/questions", question_form())
    assert (await client.post(f"/w/{firm.slug}/frameworks/versions/{draft}/publish")).status_code == 303
    return await _tree(database, firm, draft)


async def test_new_assessments_use_the_firms_default_choice_and_may_pick_another(
    database: Database, client: Any
) -> None:
    world = await make_world(database)
    await client.login(world.firm.email(Role.OWNER), PASSWORD)
    own = await _published_copy(database, client, world.firm)
    slug = world.slug
    form_url = f"/w/{slug}/companies/{world.company.id}/assessments/new"
    page = await client.get(form_url)
    assert "Modelo propio" in page.text and 'name="framework_version_id"' in page.text
    r = await client.post(f"/w/{slug}/frameworks/versions/{own.version_id}/default")
    assert r.status_code == 303
    page = await client.get(form_url)
    assert re.search(rf'value="{own.version_id}"\s+selected', page.text)
    # The new dimension's target is offered, with the company's default level.
    new_dim = next(d for d in own.dimensions if d.key.startswith("dim_"))
    assert f'name="target_{new_dim.key}"' in page.text
    r = await client.post(form_url, {"kind": "consultant", "title": "Con el modelo propio", "reminder_days": "7"})
    assert r.status_code == 303, r.text[:800]
    async with database.session(tenant_id=world.tenant_id) as db:
        made = await db.scalar(select(Assessment).where(Assessment.title == "Con el modelo propio"))
        platform = await services.default_version(db)
    assert made is not None and made.framework_version_id == own.version_id
    assert made.targets[new_dim.key] == world.company.default_target_level
    # The platform's model may still be chosen explicitly.
    r = await client.post(
        form_url,
        {
            "kind": "consultant",
            "title": "Con el de Ordena",
            "reminder_days": "7",
            "framework_version_id": str(platform.id),
        },
    )
    assert r.status_code == 303
    async with database.session(tenant_id=world.tenant_id) as db:
        made = await db.scalar(select(Assessment).where(Assessment.title == "Con el de Ordena"))
    assert made is not None and made.framework_version_id == platform.id


async def test_another_firms_framework_version_is_refused(database: Database, client: Any) -> None:
    other = await _partner(database, client)
    theirs = await _published_copy(database, client, other)
    client.client.cookies.clear()
    client.csrf = None
    world = await make_world(database)
    await client.login(world.firm.email(Role.OWNER), PASSWORD)
    form_url = f"/w/{world.slug}/companies/{world.company.id}/assessments/new"
    page = await client.get(form_url)
    assert str(theirs.version_id) not in page.text
    r = await client.post(
        form_url, {"kind": "consultant", "reminder_days": "7", "framework_version_id": str(theirs.version_id)}
    )
    assert r.status_code == 404
    assert (await client.post(f"/w/{world.slug}/frameworks/versions/{theirs.version_id}/default")).status_code == 404
    async with database.session(tenant_id=world.tenant_id) as db:
        assert await db.scalar(select(Assessment).where(Assessment.tenant_id == world.tenant_id)) is None
        fw = await db.get(Framework, theirs.framework_id)
        draft_or_theirs = await db.get(FrameworkVersion, theirs.version_id)
    assert fw is None and draft_or_theirs is None  # RLS hides the other firm's rows too
