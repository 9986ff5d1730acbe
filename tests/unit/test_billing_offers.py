"""The billing page's plan cards are made once per language and price configuration: a firm
never sees another language's cards, nor a plan offered whose price is not configured."""

from __future__ import annotations

from dataclasses import replace

from ordena.billing.plans import INTERVALS, PLANS
from ordena.billing.services import offers
from ordena.settings import Settings


def _settings(configured: bool) -> Settings:
    prices = {f"{code}_{i}": f"price_{code}_{i}" for code in PLANS for i in INTERVALS} if configured else {}
    return replace(Settings.from_env({}), stripe_prices=prices)


def test_the_cards_read_in_the_language_asked_and_in_its_currency_first() -> None:
    spanish = offers(_settings(True), "es")
    english = offers(_settings(True), "en")
    assert spanish[0].limits[0].startswith("Hasta ") and spanish[0].choices[0].per == "mes"
    assert english[0].limits[0].startswith("Up to ") and english[0].choices[0].per == "month"
    assert spanish[0].choices[0].price.startswith("S/") and english[0].choices[0].price.startswith("$")
    assert [o.plan.code for o in spanish] == list(PLANS)


def test_a_plan_without_a_configured_price_is_not_offered_even_after_a_configured_one_was_shown() -> None:
    assert all(o.available for o in offers(_settings(True), "es"))
    assert not any(o.available for o in offers(_settings(False), "es"))
    partly = replace(_settings(True), stripe_prices={"starter_month": "p1", "starter_year": "p2"})
    assert [o.available for o in offers(partly, "es")] == [code == "starter" for code in PLANS]
