"""Hand-made assessments with known answers (rows inserted directly, as the questionnaire would)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from ordena.assessments.models import Answer, Assessment, Respondent
from ordena.companies import counts
from ordena.companies.models import Company, Contact
from ordena.db.driver import driver
from ordena.db.engine import Database
from ordena.frameworks import services as frameworks
from ordena.lib.clock import now


@dataclass
class Made:
    company_id: uuid.UUID
    assessment_id: uuid.UUID


async def make_assessment(
    database: Database,
    tenant_id: uuid.UUID,
    *,
    kind: str = "both",
    status: str = "submitted",
    consultant: dict[str, int | None] | None = None,
    selves: list[dict[str, int | None]] | None = None,
    company_id: uuid.UUID | None = None,
    title: str = "Diagnóstico 2025",
) -> Made:
    """``consultant``/``selves`` map question key → level (None = no aplica)."""
    async with database.session(tenant_id=tenant_id) as db:
        version = await frameworks.default_version(db)
        tree = await frameworks.structure(db, version.id)
        by_key = {q.key: q.id for q in tree.questions}
        if company_id is None:
            company = Company(
                tenant_id=tenant_id,
                name=f"Textiles {uuid.uuid4().hex[:4]} S.A.C.",
                industry_section="C",
                size_band="mediana",
            )
            db.add(company)
            await db.flush()
            await counts.add(await driver(db), tenant_id, active=1)  # as ``create_company`` keeps it
            company_id = company.id
        assessment = Assessment(
            tenant_id=tenant_id,
            company_id=company_id,
            framework_version_id=version.id,
            title=title,
            kind=kind,
            status=status,
            published_at=now() if status == "published" else None,
        )
        db.add(assessment)
        await db.flush()

        async def respond(side: str, answers: dict[str, int | None], contact_id: uuid.UUID | None = None) -> None:
            r = Respondent(tenant_id=tenant_id, assessment_id=assessment.id, kind=side, contact_id=contact_id)
            db.add(r)
            await db.flush()
            for key, level in answers.items():
                db.add(
                    Answer(
                        tenant_id=tenant_id,
                        assessment_id=assessment.id,
                        respondent_id=r.id,
                        question_id=by_key[key],
                        level=level,
                        not_applicable=level is None,
                    )
                )

        if consultant is not None:
            await respond("consultant", consultant)
        for i, answers in enumerate(selves or []):
            contact = Contact(
                tenant_id=tenant_id,
                company_id=company_id,
                name=f"Contacto {i}",
                email=f"c{i}.{uuid.uuid4().hex[:6]}@example.test",
            )
            db.add(contact)
            await db.flush()
            await respond("self", answers, contact.id)
        await db.commit()
        return Made(company_id, assessment.id)


KNOWN_CONSULTANT: dict[str, int | None] = {
    "ventas.pipeline": 4,  # weight 2
    "ventas.proceso_comercial": 2,  # weight 1
    "ventas.cotizaciones_precios": None,  # no aplica
    "atencion_cliente.canales": 1,
}
KNOWN_SELVES: list[dict[str, int | None]] = [
    {"ventas.pipeline": 5, "ventas.proceso_comercial": 5},
    {"ventas.pipeline": 3, "ventas.proceso_comercial": 5},
]
