"""The owner's billing page: overview, subscribing through Checkout, the customer portal."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.accounts.services import actor_of
from ordena.audit.services import AuditTrail
from ordena.billing import queries, stripe_api
from ordena.billing.limits import account_of
from ordena.billing.models import BillingAccount
from ordena.billing.plans import INTERVALS, PLANS, Plan, currencies_for, price_id
from ordena.billing.state import Standing, standing
from ordena.billing.stripe_api import InvoiceView, StripeUnavailable, SubscriptionReader
from ordena.billing.sync import apply_subscriptions, lock_firm
from ordena.companies.services import count_companies
from ordena.lib.clock import now
from ordena.lib.errors import ServiceError
from ordena.lib.i18n import _, format_money, use_locale
from ordena.settings import Settings
from ordena.tenancy import memberships
from ordena.tenancy.invitations import pending_invitations
from ordena.tenancy.services import FirmContext

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Usage:
    companies: int
    seats: int


@dataclass(frozen=True, slots=True)
class OfferChoice:
    """One way to pay a plan, as its card shows it."""

    interval: str
    price: str  # in the locale's first currency, per interval
    other_price: str  # in the other currency
    per: str  # "mes" / "año"
    action: str  # the button's label


@dataclass(frozen=True, slots=True)
class PlanOffer:
    plan: Plan
    prices: dict[str, list[tuple[str, Decimal]]]  # interval → [(currency, amount)], the locale's first
    available: bool  # a Stripe price is configured for it
    name: str
    limits: tuple[str, ...]  # the plan's limits, as sentences
    choices: tuple[OfferChoice, ...]


@dataclass
class Overview:
    standing: Standing
    account: BillingAccount | None
    usage: Usage
    offers: tuple[PlanOffer, ...]
    next_invoice: InvoiceView | None = None
    invoices: list[InvoiceView] = field(default_factory=list)
    stripe_unavailable: bool = False


async def usage_of(db: AsyncSession, firm: FirmContext) -> Usage:
    seats = await memberships.member_count(db, firm.tenant_id) + len(await pending_invitations(db, firm))
    return Usage(await count_companies(db, firm.tenant_id), seats)


def offers(settings: Settings, locale: str) -> tuple[PlanOffer, ...]:
    configured = tuple(tuple(bool(price_id(settings, p.code, i)) for i in INTERVALS) for p in PLANS.values())
    return _offers(locale, configured)


@lru_cache(maxsize=64)
def _offers(locale: str, configured: tuple[tuple[bool, ...], ...]) -> tuple[PlanOffer, ...]:
    """The plans' cards, their text made once per language and configuration (every input is
    in the key: the plans and prices are fixed at import; profiled: the cards' formatting was
    most of the billing page's template)."""
    order = currencies_for(locale)
    with use_locale(locale):
        per = {"month": _("mes"), "year": _("año")}
        return tuple(
            PlanOffer(
                plan,
                prices := {i: [(c, plan.price(i, c)) for c in order] for i in INTERVALS},
                all(configured[n]),
                str(plan.name),
                (
                    _("Hasta {n} empresas cliente activas").format(n=plan.companies),
                    _("Hasta {n} personas en la firma").format(n=plan.seats),
                ),
                tuple(
                    OfferChoice(
                        i,
                        format_money(prices[i][0][1], prices[i][0][0]),
                        format_money(prices[i][1][1], prices[i][1][0]),
                        per[i],
                        (
                            _("Suscribirme a {plan}, pago mensual")
                            if i == "month"
                            else _("Suscribirme a {plan}, pago anual")
                        ).format(plan=str(plan.name)),
                    )
                    for i in INTERVALS
                ),
            )
            for n, plan in enumerate(PLANS.values())
        )


async def overview(con: asyncpg.Connection, settings: Settings, firm: FirmContext, locale: str) -> Overview:
    """The page's account and usage in one statement on the driver (benchmarked: ``billing``)."""
    at = now()
    found = await queries.account_usage(con, firm.tenant_id, at)
    account = found.account
    page = Overview(
        standing(settings, account, firm.tenant.created_at, at),
        account,
        Usage(found.companies, found.seats),
        offers(settings, locale),
    )
    if account is not None and account.stripe_customer_id:
        try:
            page.invoices = await stripe_api.invoices(settings, account.stripe_customer_id)
            if account.stripe_subscription_id and account.status != "canceled":
                page.next_invoice = await stripe_api.next_invoice(
                    settings, account.stripe_customer_id, account.stripe_subscription_id
                )
        except StripeUnavailable as exc:
            log.warning("billing page: Stripe unavailable: %s", exc)
            page.stripe_unavailable = True
    return page


async def _locked_account(db: AsyncSession, firm: FirmContext) -> BillingAccount:
    """The firm's account, created on first use, with the firm's billing lock held until the
    request's transaction ends (concurrent clicks wait here, one after the other)."""
    await lock_firm(db, firm.tenant_id)
    account = await account_of(db, firm.tenant_id)
    if account is None:
        account = BillingAccount(firm_id=firm.tenant_id, status="trialing")
        db.add(account)
        await db.flush()
    return account


def _checkout_key(firm: FirmContext, plan: str, interval: str) -> str:
    # One Checkout per firm, plan and interval and day: a retry or a double click gets the same
    # session from Stripe even if two requests ever got past the lock (Stripe keeps keys 24 h).
    return f"ordena-checkout-{firm.tenant_id}-{plan}-{interval}-{now().date().isoformat()}"


async def start_checkout(
    db: AsyncSession, settings: Settings, firm: FirmContext, plan: str, interval: str, *, base_url: str
) -> str:
    """The Checkout URL for the firm's first subscription (the same one for repeated clicks)."""
    price = price_id(settings, plan, interval) if plan in PLANS and interval in INTERVALS else None
    if price is None:
        raise ServiceError(_("Elige uno de los planes disponibles."), field="plan")
    account = await _locked_account(db, firm)
    if account.stripe_subscription_id and account.status != "canceled":
        raise ServiceError(
            _("La firma ya tiene una suscripción: cambia de plan o de tarjeta en el portal de facturación."),
            status_code=409,
        )
    key = _checkout_key(firm, plan, interval)
    fresh = account.checkout_expires_at is None or account.checkout_expires_at > now() + dt.timedelta(minutes=5)
    if account.checkout_key == key and account.checkout_url and fresh:
        return account.checkout_url
    if account.checkout_session_id:
        # Another plan was chosen before: its link must not stay payable beside the new one.
        await stripe_api.expire_checkout(settings, account.checkout_session_id)
    if not account.stripe_customer_id:
        account.stripe_customer_id = await stripe_api.create_customer(
            settings, firm_id=str(firm.tenant_id), name=firm.tenant.name, email=firm.user.email
        )
    back = f"{base_url}/w/{firm.tenant.slug}/billing"
    session = await stripe_api.create_checkout(
        settings,
        customer=account.stripe_customer_id,
        price=price,
        firm_id=str(firm.tenant_id),
        locale=firm.tenant.locale,
        key=key,
        success=f"{back}?checkout=done",
        cancel=f"{back}?checkout=canceled",
    )
    account.checkout_session_id, account.checkout_url, account.checkout_key = session.id, session.url, key
    account.checkout_expires_at = session.expires_at
    AuditTrail(db, firm.tenant_id, actor_of(firm.user))(
        "checkout", "billing", firm.tenant_id, after={"plan": plan, "interval": interval, "session": session.id}
    )
    return session.url


async def portal(db: AsyncSession, settings: Settings, firm: FirmContext, *, base_url: str) -> str:
    account = await account_of(db, firm.tenant_id)
    if account is None or not account.stripe_customer_id:
        raise ServiceError(_("La firma aún no tiene una suscripción: elige un plan primero."), status_code=409)
    return await stripe_api.portal_url(
        settings,
        customer=account.stripe_customer_id,
        return_url=f"{base_url}/w/{firm.tenant.slug}/billing",
        locale=firm.tenant.locale,
    )


async def refresh(db: AsyncSession, settings: Settings, firm: FirmContext, reader: SubscriptionReader) -> str:
    """Re-read the firm's subscription from Stripe now (back from Checkout), as the worker does."""
    await lock_firm(db, firm.tenant_id)
    account = await account_of(db, firm.tenant_id)
    if account is None or not account.stripe_customer_id:
        return "unchanged"
    try:
        return await apply_subscriptions(
            db, settings, account, await reader.customer_subscriptions(account.stripe_customer_id)
        )
    except StripeUnavailable:
        return "unchanged"  # the webhook's job will bring it
