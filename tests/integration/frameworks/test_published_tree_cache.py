"""A published framework's tree is cached, yet a page never shows content older than the
publication it reads."""

from __future__ import annotations

from ordena.audit.services import Actor
from ordena.db.engine import Database
from ordena.frameworks import editing, services
from ordena.frameworks.models import FrameworkVersion, Question
from ordena.lib.clock import now
from ordena.tenancy.models import Role
from tests.factories import make_firm


async def test_a_publish_rolled_back_after_a_read_never_serves_its_tree_later(database: Database) -> None:
    firm = await make_firm(database, roles=(Role.PARTNER,))
    async with database.session(tenant_id=firm.id) as db:
        default = await services.default_version(db)
        draft = await editing.clone(db, firm.id, Actor(None, "test"), default.id)
        await db.commit()
    # A publish whose transaction fails after the tree was read (and cached).
    async with database.session(tenant_id=firm.id) as db:
        version = await db.get(FrameworkVersion, draft.id)
        assert version is not None
        version.status, version.published_at = "published", now()
        await db.flush()
        first = (await services.structure(db, draft.id)).questions[0]
        await db.rollback()
    # Still a draft: the partner edits it and publishes for good.
    async with database.session(tenant_id=firm.id) as db:
        question = await db.get(Question, first.id)
        version = await db.get(FrameworkVersion, draft.id)
        assert question is not None and version is not None and version.status == "draft"
        question.text = {"es": "¿Se cierra la caja cada día?", "en": "Is the till closed daily?"}
        version.status, version.published_at = "published", now()
        await db.commit()
    async with database.session(tenant_id=firm.id) as db:
        tree = await services.structure(db, draft.id)
    assert tree.is_published
    assert tree.question(first.id).text["es"] == "¿Se cierra la caja cada día?"
