"""A visitor reads on the landing page what the product does today, and nothing it does not."""

from __future__ import annotations

from typing import Any

# Features that do not exist yet: the landing page must not promise them (plans arrived with #10).
NOT_YET = ("benchmark", "informe pdf", "excel", "suscripción", "report")


async def test_a_visitor_reads_what_ordena_does_today_and_no_promise_of_what_it_does_not(client: Any) -> None:
    page = await client.get("/")
    assert page.status_code == 200
    for feature in (
        "Tus empresas cliente",
        "Un modelo de madurez de front y back office",
        "Evaluación del consultor, del cliente o de ambos",
        "brecha de percepción",
        "radar",
        "Un registro de cada cambio",
        "Una API para tus sistemas",
        "Planes de mejora que cierran el ciclo",
    ):
        assert feature in page.text, feature
    assert "<h1>" in page.text and 'src="/static/img/landing-results-es.png"' in page.text
    assert not [word for word in NOT_YET if word in page.text.lower()]
    assert (await client.get("/static/img/landing-results-mobile-es.png")).status_code == 200

    client.cookies.set("ordena_lang", "en")
    english = await client.get("/")
    assert "Your client companies" in english.text and "perception gap" in english.text
    assert "Improvement plans that close the loop" in english.text
    assert not [word for word in NOT_YET if word in english.text.lower()]
