"""The consultant's questionnaire shows, under each question, what the other respondents answered
and who they are (read as plain rows with the page's own answers)."""

from __future__ import annotations

from typing import Any

from ordena.db.engine import Database
from ordena.tenancy.models import Role
from tests.factories import PASSWORD, make_firm
from tests.integration.results.helpers import make_assessment


async def test_the_consultant_sees_each_contacts_answer_by_name_beside_their_own(
    database: Database, client: Any
) -> None:
    firm = await make_firm(database, roles=(Role.CONSULTANT,))
    made = await make_assessment(
        database,
        firm.id,
        kind="both",
        status="in_progress",
        consultant={"ventas.pipeline": 4},
        selves=[{"ventas.pipeline": 2}, {"ventas.proceso_comercial": None}],
    )
    await client.login(firm.email(Role.CONSULTANT), PASSWORD)
    page = await client.get(f"/w/{firm.slug}/assessments/{made.assessment_id}/q/ventas")
    assert page.status_code == 200
    others = page.text.split("Otras respuestas")
    assert len(others) == 3, "one list under each of the two questions the contacts answered"
    assert "Contacto 0: 2 ·" in others[1]
    assert "Contacto 1: No aplica" in others[2]
    assert 'value="4" checked' in page.text, "the consultant's own answer is the one checked"
    assert "Consultor:" not in page.text, "the consultant's own answers are not among the others"
