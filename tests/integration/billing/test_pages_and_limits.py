"""The billing page is the owner's alone; one Checkout per firm however often it is asked for;
plan limits with the upgrade path; and nothing of billing without Stripe keys."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select

from ordena.assessments.invitations import invite_contacts
from ordena.assessments.models import Answer
from ordena.billing.limits import ensure_room
from ordena.billing.models import BillingAccount
from ordena.db.engine import Database
from ordena.frameworks.models import Question
from ordena.settings import Settings
from ordena.tenancy.models import Role, Tenant
from tests.factories import PASSWORD, add_company, make_firm
from tests.integration.assessments.helpers import link_in, make_world, new_assessment, newest_email
from tests.integration.billing.helpers import account
from tests.stripe.fake import StripeStack


async def _on_plan(database: Database, firm_id: Any, plan: str) -> None:
    """The firm pays for ``plan`` (as the worker would have written it from Stripe)."""
    async with database.session() as db:
        db.add(
            BillingAccount(
                firm_id=firm_id,
                status="active",
                plan=plan,
                interval="month",
                stripe_customer_id=f"cus_t_{firm_id.hex[:12]}",
                stripe_subscription_id="sub_t",
            )
        )
        tenant = await db.get(Tenant, firm_id)
        assert tenant is not None
        tenant.subscription_status = "active"
        await db.commit()


async def test_ten_concurrent_subscribe_clicks_open_one_checkout_session(
    billing_client: Any, billing_db: Database, stripe_env: StripeStack
) -> None:
    firm = await make_firm(billing_db, roles=(Role.OWNER,))
    await billing_client.login(firm.email(Role.OWNER), PASSWORD)
    await billing_client.get(f"/w/{firm.slug}/billing")
    calls, created = stripe_env.front.create_calls, stripe_env.front.created
    answers = await asyncio.gather(
        *(
            billing_client.post(f"/w/{firm.slug}/billing/subscribe", {"plan": "professional", "interval": "year"})
            for _ in range(10)
        )
    )
    assert [a.status_code for a in answers] == [303] * 10
    assert len({a.headers["location"] for a in answers}) == 1
    assert stripe_env.front.created == created + 1
    assert stripe_env.front.create_calls == calls + 1  # the firm's lock: Stripe was asked once
    # Another plan closes the first link, so that two open links can never both charge.
    first = answers[0].headers["location"]
    other = await billing_client.post(f"/w/{firm.slug}/billing/subscribe", {"plan": "starter", "interval": "month"})
    assert other.headers["location"] != first
    assert stripe_env.front.sessions[first.rsplit("/", 1)[1]]["status"] == "expired"
    # Card, plan and cancellation: Stripe's customer portal, for the firm's own customer.
    portal = await billing_client.post(f"/w/{firm.slug}/billing/portal", {})
    assert portal.status_code == 303
    customer = (await account(billing_db, firm.id)).stripe_customer_id  # type: ignore[union-attr]
    assert portal.headers["location"] == f"{stripe_env.front.url}/portal/{customer}"


async def test_only_an_owner_of_the_firm_sees_or_changes_its_billing(
    billing_client: Any, billing_db: Database, stripe_env: StripeStack, new_client: Any
) -> None:
    firm = await make_firm(billing_db, roles=(Role.OWNER, Role.PARTNER))
    other = await make_firm(billing_db, roles=(Role.OWNER,))
    created = stripe_env.front.created
    await billing_client.login(other.email(Role.OWNER), PASSWORD)
    await billing_client.get(f"/w/{other.slug}/billing")
    for path in ("/billing", "/billing/subscribe", "/billing/portal"):
        answer = await (billing_client.get if path == "/billing" else billing_client.post)(
            f"/w/{firm.slug}{path}", *([] if path == "/billing" else [{"plan": "starter", "interval": "month"}])
        )
        assert answer.status_code == 404, path
    await billing_client.post("/logout", {})
    billing_client.csrf = None
    await billing_client.login(firm.email(Role.PARTNER), PASSWORD)
    assert (await billing_client.get(f"/w/{firm.slug}/billing")).status_code == 403
    refused = await billing_client.post(f"/w/{firm.slug}/billing/subscribe", {"plan": "starter", "interval": "month"})
    assert refused.status_code == 403
    assert (await billing_client.post(f"/w/{firm.slug}/billing/portal", {})).status_code == 403
    home = await billing_client.get(f"/w/{firm.slug}")
    assert "Facturación" not in home.text
    assert stripe_env.front.created == created


async def test_a_company_or_member_beyond_the_plan_gets_a_message_with_the_upgrade_path(
    billing_client: Any, billing_db: Database
) -> None:
    firm = await make_firm(billing_db, roles=(Role.OWNER, Role.PARTNER, Role.CONSULTANT))
    await _on_plan(billing_db, firm.id, "starter")
    for n in range(10):
        await add_company(billing_db, firm.id, f"Cliente {n}")
    await billing_client.login(firm.email(Role.OWNER), PASSWORD)
    await billing_client.get(f"/w/{firm.slug}/companies/new")
    answer = await billing_client.post(
        f"/w/{firm.slug}/companies",
        {"name": "Once SAC", "country": "PE", "industry_section": "G", "size_band": "micro"},
    )
    assert answer.status_code == 422
    assert "Tu plan Starter permite hasta 10 empresas activas" in answer.text
    assert f"/w/{firm.slug}/billing" in answer.text and 'value="Once SAC"' in answer.text
    await billing_client.get(f"/w/{firm.slug}/members")
    invited = await billing_client.post(
        f"/w/{firm.slug}/members/invite", {"email": "cuarta@example.com", "role": "viewer"}
    )
    assert invited.status_code == 422
    assert "permite hasta 3 personas" in invited.text and f"/w/{firm.slug}/billing" in invited.text
    page = await billing_client.get(f"/w/{firm.slug}/billing")
    assert "10 / 10" in page.text and "3 / 3" in page.text


async def test_without_stripe_keys_there_is_no_billing_page_no_webhook_and_no_limit(
    client: Any, database: Database, settings: Settings
) -> None:
    firm = await make_firm(database, roles=(Role.OWNER,))
    await client.login(firm.email(Role.OWNER), PASSWORD)
    assert (await client.get(f"/w/{firm.slug}/billing")).status_code == 404
    assert "Facturación" not in (await client.get(f"/w/{firm.slug}")).text
    hook = await client.client.post("/billing/stripe/webhook", content=b"{}", headers={"stripe-signature": "t=1,v1=x"})
    assert hook.status_code == 404
    async with database.session() as db:
        await ensure_room(db, settings, firm.id, "companies", used=10_000)  # no plan, no limit
        assert await db.scalar(select(BillingAccount).where(BillingAccount.firm_id == firm.id)) is None
    made = await client.post(
        f"/w/{firm.slug}/companies",
        {"name": "Libre SAC", "country": "PE", "industry_section": "G", "size_band": "micro"},
    )
    assert made.status_code == 303


async def test_when_the_trial_ends_the_firm_reads_and_exports_but_changes_nothing(
    billing_client: Any, billing_db: Database
) -> None:
    firm = await make_firm(billing_db, roles=(Role.OWNER,))
    await add_company(billing_db, firm.id, "Antes SAC")
    async with billing_db.session() as db:
        tenant = await db.get(Tenant, firm.id)
        assert tenant is not None
        tenant.created_at = tenant.created_at - dt.timedelta(days=15)  # the 14 days went by
        await db.commit()
    await billing_client.login(firm.email(Role.OWNER), PASSWORD)
    page = await billing_client.get(f"/w/{firm.slug}/billing")
    assert "Prueba terminada" in page.text and "solo lectura" in page.text
    refused = await billing_client.post(
        f"/w/{firm.slug}/companies",
        {"name": "Después SAC", "country": "PE", "industry_section": "G", "size_band": "micro"},
    )
    assert refused.status_code == 403 and "terminó el periodo de prueba" in refused.text
    assert "Antes SAC" in (await billing_client.get(f"/w/{firm.slug}/companies")).text
    assert (await billing_client.get(f"/w/{firm.slug}/audit.csv")).status_code == 200
    # Billing itself still answers: paying is how the firm leaves this state.
    chosen = await billing_client.post(f"/w/{firm.slug}/billing/subscribe", {"plan": "starter", "interval": "month"})
    assert chosen.status_code == 303


async def test_a_client_contact_of_a_read_only_firm_reads_but_changes_nothing(
    billing_client: Any, billing_db: Database, billing_settings: Settings
) -> None:
    world = await make_world(billing_db, contacts=1)
    a = await new_assessment(billing_db, world, kind="self")
    async with billing_db.session(tenant_id=world.tenant_id) as db:
        tenant = await db.get(Tenant, world.tenant_id)
        assert tenant is not None
        await invite_contacts(db, billing_settings, tenant, world.actor, a.id, [world.contacts[0].id])
        tenant.created_at = tenant.created_at - dt.timedelta(days=15)  # the trial ended since
        await db.commit()
    path = urlsplit(link_in(await newest_email(billing_db, world.contacts[0].email))).path  # type: ignore[arg-type]
    await billing_client.get(path)
    assert (await billing_client.post(path, {})).status_code == 303
    assert (await billing_client.get(f"/c/assessments/{a.id}")).status_code == 200
    async with billing_db.session(tenant_id=world.tenant_id) as db:
        question = await db.scalar(select(Question.id).limit(1))
    refused = await billing_client.post(f"/c/assessments/{a.id}/answers", {"question_id": str(question), "level": "3"})
    assert refused.status_code == 403 and "solo lectura" in refused.text
    async with billing_db.session(tenant_id=world.tenant_id) as db:
        answers = await db.scalar(select(func.count()).select_from(Answer).where(Answer.assessment_id == a.id))
    assert answers == 0
