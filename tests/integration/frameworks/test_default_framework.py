"""The platform's default framework: loaded by every migration, once, readable by every firm."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from ordena.db.engine import Database
from ordena.frameworks import services
from ordena.frameworks.loader import DEFAULT_FRAMEWORK_KEY, ensure_default_framework
from ordena.frameworks.models import Framework, FrameworkVersion, Question
from ordena.lib.i18n import use_locale
from tests.factories import make_firm


async def test_every_migrated_database_has_the_default_framework_published(database: Database) -> None:
    firm = await make_firm(database)
    async with database.session(tenant_id=firm.id) as db:
        version = await services.default_version(db)
        assert version.status == "published"
        assert version.owner_tenant_id is None


async def test_loading_the_default_framework_again_changes_nothing(owner_engine: AsyncEngine) -> None:
    async with owner_engine.begin() as conn:
        before = (await conn.execute(text("SELECT count(*) FROM fw_question"))).scalar_one()
        created = await ensure_default_framework(conn)
        after = (await conn.execute(text("SELECT count(*) FROM fw_question"))).scalar_one()
        versions = (
            await conn.execute(
                select(func.count())
                .select_from(FrameworkVersion)
                .join(Framework, Framework.id == FrameworkVersion.framework_id)
                .where(Framework.key == DEFAULT_FRAMEWORK_KEY, Framework.owner_tenant_id.is_(None))
            )
        ).scalar_one()
    assert created is False
    assert before == after
    assert versions == 1


async def test_default_structure_has_three_pillars_thirteen_dimensions_and_sixty_four_questions(
    database: Database,
) -> None:
    firm = await make_firm(database)
    async with database.session(tenant_id=firm.id) as db:
        version = await services.default_version(db)
        tree = await services.structure(db, version.id)
        again = await services.structure(db, version.id)
        question_rows = await db.scalar(
            select(func.count()).select_from(Question).where(Question.version_id == version.id)
        )
    assert again is tree  # published versions are cached
    assert [p.key for p in tree.pillars] == ["front_office", "back_office", "transversal"]
    assert len(tree.dimensions) == 13
    assert len(tree.questions) == 64 == question_rows
    assert [d.key for d in tree.pillar("front_office").dimensions] == [
        "ventas",
        "atencion_cliente",
        "relacion_comercial",
        "seguimiento_solicitudes",
        "gestion_cuentas",
    ]
    ventas = tree.dimension("ventas")
    first = ventas.questions[0]
    assert first.key == "ventas.pipeline" and tree.question(first.id) is first
    assert sorted(first.levels) == [1, 2, 3, 4, 5]
    assert all(d.initiatives for d in tree.dimensions)
    with use_locale("en"):
        assert tree.label(ventas.name) == "Sales"
        assert tree.level_name(5) == "Optimized"
    with use_locale("es"):
        assert tree.label(ventas.name) == "Ventas"
        assert tree.level_name(1) == "Inicial"
