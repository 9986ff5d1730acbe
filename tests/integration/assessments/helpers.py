"""Set-up for the assessment tests: a firm with a client company and contacts, assessments made
through the same services as the pages."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ordena.assessments.lifecycle import NewAssessment, create_assessment
from ordena.assessments.lookups import get_assessment
from ordena.assessments.models import Assessment
from ordena.audit.services import Actor
from ordena.companies import counts
from ordena.companies.models import Company, Contact
from ordena.db.driver import driver
from ordena.frameworks import services as frameworks
from ordena.mail.models import Email
from ordena.tenancy.models import Role
from tests.factories import PASSWORD, FirmFixture, make_firm


@dataclass
class World:
    firm: FirmFixture
    company: Company
    contacts: list[Contact]

    @property
    def slug(self) -> str:
        return self.firm.slug

    @property
    def tenant_id(self) -> uuid.UUID:
        return self.firm.id

    @property
    def actor(self) -> Actor:
        user = self.firm.users[Role.OWNER]
        return Actor(user.id, user.email)


async def make_world(database: Any, *, contacts: int = 2, target: int = 3) -> World:
    firm = await make_firm(database, roles=(Role.OWNER, Role.CONSULTANT, Role.VIEWER))
    async with database.session(tenant_id=firm.id) as db:
        company = Company(
            tenant_id=firm.id,
            name=f"Textiles {uuid.uuid4().hex[:4]} S.A.C.",
            industry_section="C",
            size_band="mediana",
            default_target_level=target,
        )
        db.add(company)
        await db.flush()
        await counts.add(await driver(db), firm.id, active=1)  # as ``create_company`` keeps it
        people = []
        for i in range(contacts):
            c = Contact(
                tenant_id=firm.id,
                company_id=company.id,
                name=f"Contacto {i + 1}",
                email=f"contacto{i + 1}.{uuid.uuid4().hex[:6]}@cliente.test",
            )
            db.add(c)
            people.append(c)
        await db.commit()
    return World(firm, company, people)


async def new_assessment(
    database: Any, world: World, *, kind: str = "consultant", baseline_id: uuid.UUID | None = None
) -> Assessment:
    async with database.session(tenant_id=world.tenant_id) as db:
        a = await create_assessment(
            db,
            world.tenant_id,
            world.actor,
            NewAssessment(company_id=world.company.id, kind=kind, baseline_id=baseline_id),
        )
        await db.commit()
    return a


async def tree_of(database: Any, world: World) -> Any:
    async with database.session(tenant_id=world.tenant_id) as db:
        return await frameworks.structure(db, (await frameworks.default_version(db)).id)


async def reload(database: Any, world: World, assessment_id: uuid.UUID) -> Assessment:
    async with database.session(tenant_id=world.tenant_id) as db:
        return await get_assessment(db, world.tenant_id, assessment_id)


async def login(client: Any, world: World, role: Role = Role.CONSULTANT) -> None:
    await client.login(world.firm.email(role), PASSWORD)


async def newest_email(database: Any, to: str) -> Email | None:
    async with database.session() as db:
        return await db.scalar(select(Email).where(Email.to == to).order_by(Email.created_at.desc()).limit(1))


LINK_RE = re.compile(r"https?://\S+/links/[A-Za-z0-9_\-]+")


def link_in(email: Email) -> str:
    match = LINK_RE.search(email.text_body)
    assert match, email.text_body
    return match.group(0)


def htmx(client: Any) -> dict[str, str]:
    return {"hx-request": "true", "x-csrf-token": client.csrf or ""}
