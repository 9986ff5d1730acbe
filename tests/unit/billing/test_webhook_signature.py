"""The webhook signature is checked by hand (``billing.webhooks``, to keep the Stripe SDK out of
the web process): it must accept and refuse exactly what the SDK's ``WebhookSignature`` does."""

from __future__ import annotations

import hashlib
import hmac
import time

import pytest

import stripe
from ordena.billing.webhooks import TOLERANCE_SECONDS, BadWebhook, check_signature

SECRET = "whsec_unit_0123456789"
BODY = b'{"id": "evt_1", "type": "customer.subscription.updated", "name": "Mar\xc3\xada"}'


def _mac(payload: bytes, t: int, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), b"%d." % t + payload, hashlib.sha256).hexdigest()


def _headers() -> dict[str, str]:
    """Signed now: the tolerance counts from the moment the test runs, not from its import."""
    now = int(time.time())
    good = _mac(BODY, now)
    return {
        "genuine": f"t={now},v1={good}",
        "genuine among several v1 (a rolled secret)": f"t={now},v1={'0' * 64},v1={good}",
        "genuine with a v0 too": f"t={now},v0=abc,v1={good}",
        "within the tolerance": f"t={now - TOLERANCE_SECONDS + 30},v1={_mac(BODY, now - TOLERANCE_SECONDS + 30)}",
        "too old": f"t={now - TOLERANCE_SECONDS - 30},v1={_mac(BODY, now - TOLERANCE_SECONDS - 30)}",
        "another secret": f"t={now},v1={_mac(BODY, now, 'whsec_other')}",
        "another timestamp": f"t={now + 1},v1={good}",
        "another body": f"t={now},v1={_mac(BODY + b' ', now)}",
        "v0 only": f"t={now},v0={good}",
        "no timestamp": f"v1={good}",
        "a timestamp that is not a number": f"t=now,v1={good}",
        "upper-case hex": f"t={now},v1={good.upper()}",
        "not a header": "garbage",
    }


CASES = list(_headers())


# The SDK raises TypeError (a 500) on a non-ASCII signature; the hand check refuses it (a 400).
NON_ASCII = f"t={int(time.time())},v1=é"


def _sdk_accepts(header: str) -> bool:
    try:
        stripe.WebhookSignature.verify_header(BODY.decode(), header, SECRET, TOLERANCE_SECONDS)
    except stripe.SignatureVerificationError:
        return False
    return True


def _ours_accepts(header: str) -> bool:
    try:
        check_signature(BODY, header, SECRET)
    except BadWebhook:
        return False
    return True


@pytest.mark.parametrize("case", CASES)
def test_the_hand_check_agrees_with_the_sdk(case: str) -> None:
    header = _headers()[case]
    assert _ours_accepts(header) == _sdk_accepts(header)


def test_genuine_and_fresh_is_the_only_way_in() -> None:
    assert not _ours_accepts(NON_ASCII)
    accepted = {case for case, header in _headers().items() if _ours_accepts(header)}
    assert accepted == {
        "genuine",
        "genuine among several v1 (a rolled secret)",
        "genuine with a v0 too",
        "within the tolerance",
    }
