"""The plans Ordena sells: limits, list prices (USD and PEN) and their Stripe price ids.

The limits and the shown prices live here; which Stripe price charges each plan and interval is
configuration (``ORDENA_STRIPE_PRICE_<PLAN>_<INTERVAL>``), so that test and live accounts differ
by settings only. A price id that is not configured is an unknown plan: an event or subscription
carrying it changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ordena.lib.i18n import LazyString, lazy
from ordena.settings import Settings

INTERVALS = ("month", "year")


@dataclass(frozen=True)
class Plan:
    code: str
    name: LazyString
    companies: int  # active (not archived) client companies
    seats: int  # members plus pending invitations
    # list prices per interval, in whole currency units
    usd: dict[str, Decimal]
    pen: dict[str, Decimal]

    def price(self, interval: str, currency: str) -> Decimal:
        return (self.usd if currency == "USD" else self.pen)[interval]


PLANS: dict[str, Plan] = {
    p.code: p
    for p in (
        Plan("starter", lazy("Starter"), 10, 3, {"month": Decimal(49), "year": Decimal(490)},
             {"month": Decimal(185), "year": Decimal(1850)}),
        Plan("professional", lazy("Professional"), 50, 10, {"month": Decimal(149), "year": Decimal(1490)},
             {"month": Decimal(560), "year": Decimal(5600)}),
        Plan("network", lazy("Network"), 250, 40, {"month": Decimal(449), "year": Decimal(4490)},
             {"month": Decimal(1690), "year": Decimal(16900)}),
    )
}  # fmt: skip
# A firm on trial works with the Professional plan's limits.
TRIAL_PLAN = "professional"


def currencies_for(locale: str) -> tuple[str, str]:
    """The currency shown first, then the other: soles in Spanish (es-PE), dollars in English."""
    return ("PEN", "USD") if locale == "es" else ("USD", "PEN")


def price_id(settings: Settings, plan: str, interval: str) -> str | None:
    return settings.stripe_prices.get(f"{plan}_{interval}") or None


def plan_of_price(settings: Settings, price: str | None) -> tuple[str, str] | None:
    """(plan, interval) of a configured Stripe price id; None for any other price."""
    for key, configured in settings.stripe_prices.items():
        if price and configured == price:
            plan, _, interval = key.rpartition("_")
            if plan in PLANS and interval in INTERVALS:
                return plan, interval
    return None
