"""A validated assessment with known answers, and its plan, for the plan tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from ordena.assessments.models import Assessment
from ordena.audit.services import Actor
from ordena.companies.models import Contact
from ordena.db.engine import Database
from ordena.plans.generation import generate_plan
from ordena.tenancy.models import Role
from tests.factories import FirmFixture, make_firm
from tests.integration.results.helpers import make_assessment


def _all(dimension: str, keys: list[str], level: int | None) -> dict[str, int | None]:
    return {f"{dimension}.{k}": level for k in keys}


# relacion_comercial 1 (gap 2 × 1); soporte_operativo 3 with target 5 (gap 2 × 1, higher score);
# atencion_cliente 2 (gap 1 × 1.5); ventas 2 and control_interno 2 (gap 1 × 1: framework order);
# seguimiento_solicitudes 4 (above target); gestion_cuentas only N/A; the rest unanswered.
KNOWN: dict[str, int | None] = {
    **_all("relacion_comercial", ["historial", "segmentacion", "plan_contacto", "retencion"], 1),
    **_all(
        "soporte_operativo",
        ["procedimientos", "requerimientos_internos", "continuidad", "sistemas_herramientas", "proveedores"],
        3,
    ),
    **_all("atencion_cliente", ["canales", "tiempos_respuesta", "base_conocimiento", "reclamos", "satisfaccion"], 2),
    **_all("ventas", ["pipeline", "proceso_comercial", "cotizaciones_precios", "pronostico", "traspaso_operacion"], 2),
    **_all("control_interno", ["autorizaciones", "controles_periodicos", "riesgos", "trazabilidad"], 2),
    **_all("seguimiento_solicitudes", ["registro", "visibilidad_estado", "derivacion", "plazos_alertas", "cierre"], 4),
    "gestion_cuentas.contratos_renovaciones": None,
}
TARGETS = {"soporte_operativo": 5}


@dataclass
class PlanWorld:
    firm: FirmFixture
    company_id: uuid.UUID
    assessment_id: uuid.UUID
    contact_id: uuid.UUID

    @property
    def tenant_id(self) -> uuid.UUID:
        return self.firm.id

    @property
    def actor(self) -> Actor:
        user = self.firm.users[Role.CONSULTANT]
        return Actor(user.id, user.email)


async def validated_assessment(
    database: Database,
    *,
    firm: FirmFixture | None = None,
    status: str = "validated",
    answers: dict[str, int | None] | None = None,
    targets: dict[str, int] | None = None,
) -> PlanWorld:
    firm = firm or await make_firm(database, roles=(Role.OWNER, Role.CONSULTANT, Role.VIEWER))
    made = await make_assessment(
        database, firm.id, kind="consultant", status=status, consultant=KNOWN if answers is None else answers
    )
    async with database.session(tenant_id=firm.id) as db:
        assessment = await db.get(Assessment, (firm.id, made.assessment_id))
        assert assessment is not None
        assessment.targets = dict(TARGETS if targets is None else targets)
        contact = Contact(
            tenant_id=firm.id,
            company_id=made.company_id,
            name="Rosa Quispe",
            email=f"rosa.{uuid.uuid4().hex[:6]}@example.com",
        )
        db.add(contact)
        await db.commit()
    return PlanWorld(firm, made.company_id, made.assessment_id, contact.id)


async def generated(database: Database, world: PlanWorld) -> uuid.UUID:
    """Generate the world's plan; its id."""
    async with database.session(tenant_id=world.tenant_id) as db:
        result = await generate_plan(db, world.tenant_id, world.actor, world.assessment_id)
        await db.commit()
        return result.plan.id
