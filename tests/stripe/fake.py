"""Stripe for tests: a real ``localstripe`` server, a LOCAL FAKE for what localstripe lacks,
and a webhook relay that re-delivers, drops and reorders events.

- ``localstripe`` (a stateful fake Stripe server from PyPI, started as a subprocess on a free
  port) holds customers, plans, subscriptions, invoices and payment methods, and signs and sends
  its own webhooks (once each, after a second, without retries).
- ``FakeStripeFront`` is a LOCAL FAKE, written for these tests: localstripe has no Checkout
  Sessions, no customer portal and no Prices. The front answers those calls itself and forwards
  every other ``/v1`` call to localstripe unchanged, so the SDK talks to one ``api_base``. Its
  Checkout honours ``Idempotency-Key`` as Stripe does (same key → same session) and counts the
  create calls it received. Its hosted "checkout page" subscribes the customer in localstripe
  (a real subscription, real invoice) and then sends a signed ``checkout.session.completed``.
  Price ids are localstripe plan ids (created by :func:`create_plans`).
- ``WebhookInbox`` is the endpoint localstripe delivers to: it keeps every signed delivery as
  sent (raw body and ``Stripe-Signature``), so a test decides what reaches the app, how often
  and in which order.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx
from aiohttp import ClientSession, web

SECRET_KEY = "sk_test_ordena_localstripe"
WEBHOOK_SECRET = "whsec_ordena_tests_0123456789"
PRICES = {
    f"{plan}_{interval}": (f"price_{plan}_{interval}", amount)
    for plan, month, year in (("starter", 4900, 49000), ("professional", 14900, 149000), ("network", 44900, 449000))
    for interval, amount in (("month", month), ("year", year))
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), b"%d." % t + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


# --- localstripe ------------------------------------------------------------------------------


@contextlib.contextmanager
def localstripe_server() -> Iterator[str]:
    port = free_port()
    # localstripe pickles its whole store to one fixed file (/tmp/localstripe.pickle) after
    # every write: shared by every localstripe on the machine, and slower as the store grows.
    # The tests start from scratch and never reload it, so the dump is turned off.
    boot = (
        "import sys, localstripe.resources as r; r.Store.dump_to_disk = lambda self: None; "
        "from localstripe.server import start; sys.argv = ['localstripe', '--port', sys.argv[1], '--from-scratch']; start()"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", boot, str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/v1/customers", headers={"Authorization": f"Bearer {SECRET_KEY}"}, timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("localstripe did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)


def create_plans(localstripe: str) -> None:
    """The configured prices, as localstripe plans with the same ids (idempotent)."""
    auth = {"Authorization": f"Bearer {SECRET_KEY}"}
    for key, (price, amount) in PRICES.items():
        if httpx.get(f"{localstripe}/v1/plans/{price}", headers=auth).status_code == 200:
            continue
        httpx.post(
            f"{localstripe}/v1/plans",
            headers=auth,
            data={
                "id": price,
                "amount": amount,
                "currency": "usd",
                "interval": key.rpartition("_")[2],
                "product[name]": key.rpartition("_")[0].title(),
            },
        ).raise_for_status()


# --- a background aiohttp server --------------------------------------------------------------


class _Server:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._runner: web.AppRunner | None = None
        self.thread = threading.Thread(target=self._run, daemon=True, name=type(self).__name__)

    def app(self) -> web.Application:
        raise NotImplementedError

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)

        async def start() -> None:
            self._runner = web.AppRunner(self.app(), access_log=None)
            await self._runner.setup()
            await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
            self._ready.set()

        self.loop.run_until_complete(start())
        self.loop.run_forever()

    def start(self) -> None:
        self.thread.start()
        if not self._ready.wait(15):
            raise RuntimeError(f"{type(self).__name__} did not start")

    def stop(self) -> None:
        async def down() -> None:
            if self._runner is not None:
                await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(down(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


# --- the webhook inbox ------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    body: bytes
    signature: str

    @property
    def event(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed

    @property
    def id(self) -> str:
        return str(self.event["id"])

    @property
    def customer(self) -> str | None:
        obj = self.event["data"]["object"]
        value = obj.get("id") if obj.get("object") == "customer" else obj.get("customer")
        return str(value) if value else None


@dataclass
class WebhookInbox(_Server):
    """Where localstripe (and the front's Checkout) deliver; nothing reaches the app by itself."""

    deliveries: list[Delivery] = field(default_factory=list)
    forward_to: list[str] = field(default_factory=list)  # live servers that get each delivery too

    def __post_init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/hook", self._receive)
        return app

    async def _receive(self, request: web.Request) -> web.Response:
        delivery = Delivery(await request.read(), request.headers.get("Stripe-Signature", ""))
        with self.lock:
            self.deliveries.append(delivery)
        for url in list(self.forward_to):
            async with ClientSession() as session:
                with contextlib.suppress(Exception):
                    await session.post(
                        url,
                        data=delivery.body,
                        headers={"Stripe-Signature": delivery.signature, "Content-Type": "application/json"},
                    )
        return web.Response(text="ok")

    def of(self, customer: str) -> list[Delivery]:
        with self.lock:
            return [d for d in self.deliveries if d.customer == customer]

    def wait(self, customer: str, *, types: set[str], seen: int = 0, timeout: float = 15) -> list[Delivery]:
        """The customer's deliveries after the first ``seen``, once every type in ``types`` arrived."""
        deadline = time.monotonic() + timeout
        while True:
            fresh = self.of(customer)[seen:]
            if types <= {d.event["type"] for d in fresh}:
                time.sleep(0.2)  # a straggler of the same step (localstripe sends each after 1 s)
                return self.of(customer)[seen:]
            if time.monotonic() > deadline:
                got = sorted({d.event["type"] for d in fresh})
                raise TimeoutError(f"webhooks {sorted(types)} for {customer} did not arrive (got {got})")
            time.sleep(0.05)


# --- the LOCAL FAKE front: Checkout, portal, everything else to localstripe -------------------


@dataclass
class FakeStripeFront(_Server):
    localstripe: str
    inbox_url: str
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_key: dict[str, str] = field(default_factory=dict)
    create_calls: int = 0
    created: int = 0

    def __post_init__(self) -> None:
        super().__init__()
        self.lock = asyncio.Lock()

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1/checkout/sessions", self._create_session)
        app.router.add_get("/v1/checkout/sessions/{id}", self._get_session)
        app.router.add_post("/v1/checkout/sessions/{id}/expire", self._expire_session)
        app.router.add_post("/v1/billing_portal/sessions", self._portal_session)
        app.router.add_get("/checkout/{id}", self._checkout_page)
        app.router.add_post("/checkout/{id}/pay", self._pay)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        return app

    async def _forward(self, request: web.Request) -> web.Response:
        headers = {k: v for k, v in request.headers.items() if k.lower() in {"authorization", "content-type"}}
        async with (
            ClientSession() as session,
            session.request(
                request.method, self.localstripe + request.path_qs, data=await request.read(), headers=headers
            ) as answer,
        ):
            return web.Response(body=await answer.read(), status=answer.status, content_type="application/json")

    async def _create_session(self, request: web.Request) -> web.Response:
        form = dict(parse_qsl((await request.read()).decode()))
        key = request.headers.get("Idempotency-Key", "")
        async with self.lock:
            self.create_calls += 1
            if key and key in self.by_key:
                return web.json_response(self.sessions[self.by_key[key]])
            sid = "cs_test_" + secrets.token_hex(12)
            session = {
                "id": sid,
                "object": "checkout.session",
                "url": f"{self.url}/checkout/{sid}",
                "status": "open",
                "mode": form.get("mode"),
                "customer": form.get("customer"),
                "client_reference_id": form.get("client_reference_id"),
                "price": form.get("line_items[0][price]"),
                "success_url": form.get("success_url"),
                "cancel_url": form.get("cancel_url"),
                "expires_at": int(time.time()) + 24 * 3600,
                "subscription": None,
            }
            self.sessions[sid] = session
            self.created += 1
            if key:
                self.by_key[key] = sid
        return web.json_response(session)

    async def _get_session(self, request: web.Request) -> web.Response:
        session = self.sessions.get(request.match_info["id"])
        return web.json_response(session) if session else web.json_response({"error": {}}, status=404)

    async def _expire_session(self, request: web.Request) -> web.Response:
        session = self.sessions.get(request.match_info["id"])
        if session is None or session["status"] != "open":
            return web.json_response({"error": {"message": "not open"}}, status=400)
        session["status"] = "expired"
        return web.json_response(session)

    async def _portal_session(self, request: web.Request) -> web.Response:
        form = dict(parse_qsl((await request.read()).decode()))
        customer = form.get("customer", "")
        return web.json_response(
            {
                "id": "bps_" + secrets.token_hex(8),
                "object": "billing_portal.session",
                "url": f"{self.url}/portal/{customer}",
                "return_url": form.get("return_url"),
            }
        )

    async def _checkout_page(self, request: web.Request) -> web.Response:
        session = self.sessions.get(request.match_info["id"])
        if session is None or session["status"] != "open":
            return web.Response(text="<h1>This checkout link has expired</h1>", content_type="text/html", status=410)
        html = (
            "<!doctype html><html lang='en'><head><title>Fake Checkout (tests)</title></head><body><main>"
            f"<h1>Fake Stripe Checkout (local test fake)</h1><p>Price {session['price']}</p>"
            f"<form method='post' action='/checkout/{session['id']}/pay'><button type='submit'>Pay</button></form>"
            "</main></body></html>"
        )
        return web.Response(text=html, content_type="text/html")

    async def _pay(self, request: web.Request) -> web.Response:
        session = self.sessions.get(request.match_info["id"])
        if session is None or session["status"] != "open":
            return web.Response(text="expired", status=410)
        auth = {"Authorization": f"Bearer {SECRET_KEY}"}
        async with ClientSession(headers=auth) as http:
            customer = session["customer"]
            async with http.post(
                f"{self.localstripe}/v1/payment_methods/pm_card_visa/attach", data={"customer": customer}
            ) as r:
                pm = (await r.json())["id"]
            async with http.post(
                f"{self.localstripe}/v1/customers/{customer}", data={"invoice_settings[default_payment_method]": pm}
            ) as r:
                r.raise_for_status()
            async with http.post(
                f"{self.localstripe}/v1/subscriptions", data={"customer": customer, "items[0][plan]": session["price"]}
            ) as r:
                sub = await r.json()
        session.update(status="complete", subscription=sub["id"])
        event = {
            "id": "evt_fake_" + secrets.token_hex(10),
            "object": "event",
            "type": "checkout.session.completed",
            "created": int(time.time()),
            "data": {"object": dict(session, object="checkout.session")},
        }
        body = json.dumps(event).encode()
        async with ClientSession() as http:
            await http.post(
                self.inbox_url, data=body, headers={"Stripe-Signature": sign(body), "Content-Type": "application/json"}
            )
        raise web.HTTPSeeOther(session["success_url"])


@dataclass
class StripeStack:
    localstripe: str
    inbox: WebhookInbox
    front: FakeStripeFront

    @property
    def api_base(self) -> str:
        return self.front.url

    def settings_overrides(self) -> dict[str, Any]:
        return {
            "stripe_secret_key": SECRET_KEY,
            "stripe_webhook_secret": WEBHOOK_SECRET,
            "stripe_api_base": self.api_base,
            "stripe_prices": {key: price for key, (price, _amount) in PRICES.items()},
        }


@contextlib.contextmanager
def stripe_stack() -> Iterator[StripeStack]:
    with localstripe_server() as localstripe:
        create_plans(localstripe)
        inbox = WebhookInbox()
        inbox.start()
        httpx.post(
            f"{localstripe}/_config/webhooks/ordena", data={"url": f"{inbox.url}/hook", "secret": WEBHOOK_SECRET}
        ).raise_for_status()
        front = FakeStripeFront(localstripe, f"{inbox.url}/hook")
        front.start()
        try:
            yield StripeStack(localstripe, inbox, front)
        finally:
            front.stop()
            inbox.stop()
