"""The webhook scenario: Stripe's signed deliveries, each a new event (as in a burst of
payments), sent to ``POST /billing/stripe/webhook`` by 32 clients.

Billing is on in the benchmark (Stripe keys, no Stripe reachable: the jobs the webhook writes
are not run, the web process runs no worker) and the benchmark's firms are paying (``active``),
so the other scenarios keep the path of a paying firm: the read-only check costs them nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid

import asyncpg

WEBHOOK_SECRET = "whsec_bench_0123456789"
STRIPE_KEY = "sk_test_bench"
# Nothing listens here: the benchmark never reaches Stripe.
STRIPE_API_BASE = "http://127.0.0.1:9"
PATH = "/billing/stripe/webhook"
DELIVERIES = 20_000


def billing_env() -> dict[str, str]:
    return {
        "ORDENA_STRIPE_SECRET_KEY": STRIPE_KEY,
        "ORDENA_STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "ORDENA_STRIPE_API_BASE": STRIPE_API_BASE,
    }


async def firms_are_paying(conn: asyncpg.Connection) -> None:
    await conn.execute("UPDATE tenant SET subscription_status = 'active'")


def signed_deliveries(n: int = DELIVERIES, *, seed: int = 13) -> list[str]:
    """``PATH<TAB>BODY<TAB>Stripe-Signature: …`` lines, signed now (5 minutes' tolerance: the
    scenario is measured first)."""
    rnd = uuid.UUID(int=seed)
    stamp = int(time.time())
    lines = []
    for i in range(n):
        event = {
            "id": f"evt_bench_{rnd.hex[:8]}_{uuid.uuid4().hex}",
            "object": "event",
            "type": "invoice.payment_succeeded" if i % 2 else "customer.subscription.updated",
            "created": stamp,
            "data": {"object": {"object": "invoice", "id": f"in_bench_{i}", "customer": f"cus_bench_{i % 500}"}},
        }
        body = json.dumps(event, separators=(",", ":"))
        mac = hmac.new(WEBHOOK_SECRET.encode(), f"{stamp}.{body}".encode(), hashlib.sha256).hexdigest()
        lines.append(f"{PATH}\t{body}\tStripe-Signature: t={stamp},v1={mac}")
    return lines
