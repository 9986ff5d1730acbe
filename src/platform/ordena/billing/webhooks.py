"""Receiving Stripe's webhooks: the signature on the raw body, then the event stored once.

Nothing is decided here: the event is only a signal that one customer's billing may have
changed. The worker re-reads the customer from Stripe (``billing.sync``).

The signature is checked here, as Stripe documents it ("verify manually": HMAC-SHA256 of
``"{t}.{body}"`` with the endpoint's secret, any ``v1`` signature of the header matching, the
timestamp within the tolerance), not with the SDK's ``WebhookSignature``: importing the SDK costs
the web process about 12 MiB resident for these few lines. ``tests/unit/billing`` checks that this
check and the SDK's agree.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

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


def check_signature(payload: bytes, header: str, secret: str, tolerance: int = TOLERANCE_SECONDS) -> None:
    """Raise :class:`BadWebhook` unless one ``v1`` signature of ``header`` signs ``payload`` with
    ``secret`` at the header's timestamp, no older than ``tolerance`` seconds."""
    stamps: list[str] = []
    signatures: list[str] = []
    for item in header.split(","):
        key, _sep, value = item.partition("=")
        if key == "t":
            stamps.append(value)
        elif key == "v1":
            signatures.append(value)
    try:
        timestamp = int(stamps[0])
    except (IndexError, ValueError) as exc:
        raise BadWebhook("no timestamp in the signature header") from exc
    if not signatures:
        raise BadWebhook("no v1 signature in the signature header")
    expected = hmac.new(secret.encode(), b"%d." % timestamp + payload, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected.encode(), s.encode()) for s in signatures):
        raise BadWebhook("no signature matches the body")
    if timestamp < time.time() - tolerance:
        raise BadWebhook(f"timestamp outside the tolerance ({timestamp})")


def verify(payload: bytes, header: str | None, secret: str) -> VerifiedEvent:
    """Check the ``Stripe-Signature`` header against the raw body (5 minutes' tolerance)."""
    if not header or not secret.strip():
        raise BadWebhook("no signature")
    check_signature(payload, header, secret)
    try:
        event: Any = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadWebhook(str(exc)) from exc
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not isinstance(event.get("type"), str):
        raise BadWebhook("not an event")
    return VerifiedEvent(event["id"][:100], event["type"], customer_of(event))
