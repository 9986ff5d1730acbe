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


NOW = int(time.time())
GOOD = _mac(BODY, NOW)
HEADERS = {
    "genuine": f"t={NOW},v1={GOOD}",
    "genuine among several v1 (a rolled secret)": f"t={NOW},v1={'0' * 64},v1={GOOD}",
    "genuine with a v0 too": f"t={NOW},v0=abc,v1={GOOD}",
    "within the tolerance": f"t={NOW - TOLERANCE_SECONDS + 30},v1={_mac(BODY, NOW - TOLERANCE_SECONDS + 30)}",
    "too old": f"t={NOW - TOLERANCE_SECONDS - 30},v1={_mac(BODY, NOW - TOLERANCE_SECONDS - 30)}",
    "another secret": f"t={NOW},v1={_mac(BODY, NOW, 'whsec_other')}",
    "another timestamp": f"t={NOW + 1},v1={GOOD}",
    "another body": f"t={NOW},v1={_mac(BODY + b' ', NOW)}",
    "v0 only": f"t={NOW},v0={GOOD}",
    "no timestamp": f"v1={GOOD}",
    "a timestamp that is not a number": f"t=now,v1={GOOD}",
    "upper-case hex": f"t={NOW},v1={GOOD.upper()}",
    "not a header": "garbage",
}
# The SDK raises TypeError (a 500) on a non-ASCII signature; the hand check refuses it (a 400).
NON_ASCII = f"t={NOW},v1=é"


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


@pytest.mark.parametrize("case", list(HEADERS))
def test_the_hand_check_agrees_with_the_sdk(case: str) -> None:
    assert _ours_accepts(HEADERS[case]) == _sdk_accepts(HEADERS[case])


def test_genuine_and_fresh_is_the_only_way_in() -> None:
    assert not _ours_accepts(NON_ASCII)
    accepted = {case for case, header in HEADERS.items() if _ours_accepts(header)}
    assert accepted == {
        "genuine",
        "genuine among several v1 (a rolled secret)",
        "genuine with a v0 too",
        "within the tolerance",
    }
