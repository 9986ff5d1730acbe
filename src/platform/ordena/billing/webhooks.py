"""Receiving Stripe's webhooks: the signature on the raw body, then the event stored once.

Nothing is decided here: the event is only a signal that one customer's billing may have
changed. The worker re-reads the customer from Stripe (``billing.sync``).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import stripe
from ordena.billing.sync import customer_of

log = logging.getLogger(__name__)
TOLERANCE_SECONDS = 300


class BadWebhook(Exception):
    """Not a genuine, fresh Stripe event: answered 400 and nothing is stored."""


@dataclass(frozen=True)
class VerifiedEvent:
    id: str
    type: str
    customer: str | None


def verify(payload: bytes, header: str | None, secret: str) -> VerifiedEvent:
    """Check the ``Stripe-Signature`` header against the raw body (5 minutes' tolerance)."""
    if not header or not secret:
        raise BadWebhook("no signature")
    try:
        stripe.WebhookSignature.verify_header(payload.decode("utf-8"), header, secret, TOLERANCE_SECONDS)
        event: Any = json.loads(payload)
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as exc:
        raise BadWebhook(str(exc)) from exc
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not isinstance(event.get("type"), str):
        raise BadWebhook("not an event")
    return VerifiedEvent(event["id"][:100], event["type"], customer_of(event))
