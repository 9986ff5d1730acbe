"""End-to-end fixtures: the real app served over HTTP on a free port, and Debian's Chromium
driven by Playwright (sync API).

Reuse them in your own journeys:

    @pytest.mark.e2e
    def test_consultant_does_something(live_url, browser_page, newest_email):
        browser_page.goto(live_url + "/signup")
        ...
        mail = newest_email("someone@example.com")
        assert mail is not None and "…" in mail.subject

``live_server`` has the settings (``.settings``) and can run a coroutine on the server's own
event loop (``.run(coro)``), e.g. to create data with the same services the product uses;
``sign_up_firm(page)`` signs a firm up through the form and returns its details;
``new_page()`` opens another, isolated browser context (another person);
``screenshot(page, name)`` saves docs/screenshots/<name>.png only when ORDENA_SCREENSHOTS=1.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy.engine import make_url

from ordena.settings import Settings

CHROMIUM = Path(os.environ.get("ORDENA_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
E2E_PASSWORD = "Una-clave-larga-2026"

T = TypeVar("T")
# Live servers started in this process (the session one, the SMTP one): they share a database.
RUNNING: list[LiveServer] = []


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Email:
    to: str
    subject: str
    text_body: str
    html_body: str
    template: str

    def link(self) -> str:
        """The first link in the mail (invitations, password resets, sign-in links)."""
        match = re.search(r"https?://\S+/links/[A-Za-z0-9_\-]+", self.text_body)
        assert match, f"no link in mail {self.subject!r}:\n{self.text_body}"
        return match.group(0)


class LiveServer:
    """uvicorn serving ``create_app(settings)`` in a thread with its own event loop."""

    def __init__(self, settings: Settings) -> None:
        import uvicorn

        from ordena.server.app import create_app

        self.settings = settings
        self.url = settings.base_url
        self.loop = asyncio.new_event_loop()
        self.app = create_app(settings)
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=settings.port,
            log_level="warning",
            lifespan="on",
            loop="asyncio",
            ws="none",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self._serve, name="e2e-live-server", daemon=True)

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.server.serve())

    def start(self) -> None:
        RUNNING.append(self)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the live server did not start (see the log above)")
            time.sleep(0.05)

    def stop(self) -> None:
        if self in RUNNING:
            RUNNING.remove(self)
        self.server.should_exit = True
        self.thread.join(timeout=15)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        """Run a coroutine on the server's loop (its engine and pools live there)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def query(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        """A read as the owner role (tests only): e.g. rows of platform tables such as ``email``."""
        import asyncpg

        url = make_url(self.settings.database_url)

        async def go() -> list[dict[str, Any]]:
            kw: dict[str, Any] = {
                "user": url.username,
                "database": url.database,
                "host": url.query.get("host") or url.host,
                "port": url.port,
            }
            if url.password:
                kw["password"] = url.password
            conn = await asyncpg.connect(**{k: v for k, v in kw.items() if v is not None})
            try:
                return [dict(r) for r in await conn.fetch(sql, *args)]
            finally:
                await conn.close()

        return self.run(go())


@pytest.fixture(scope="session")
def live_server(migrated: Settings) -> Iterator[LiveServer]:
    port = _free_port()
    settings = replace(migrated, base_url=f"http://127.0.0.1:{port}", port=port, host="127.0.0.1")
    server = LiveServer(settings)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def live_url(live_server: LiveServer) -> str:
    return live_server.url


@pytest.fixture
def browser() -> Iterator[Any]:
    """Chromium for one test. Not session-wide: while Playwright's sync API is open it leaves its
    event loop marked as running in this thread, and every async test after it would fail with
    "Runner.run() cannot be called from a running event loop". A launch costs well under a second."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"Chromium not found at {CHROMIUM}: install Debian's chromium (`make browsers`) to run the browser journeys"
        )
    if shutil.which(str(CHROMIUM)) is None:
        pytest.skip(f"{CHROMIUM} is not executable")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# axe-core impacts that fail a journey (DESIGN: zero critical or serious violations).
AXE_FAILING = ("critical", "serious")
_AXE_RUN = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                 targets: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + n.html.slice(0, 160) + ' ' + (n.failureSummary || '').slice(0, 240))}));
}"""


class AccessibilityCheck:
    """axe-core over every page a journey loads: run when the page's load event fires, so no
    journey has to remember it. Injected with ``evaluate`` (devtools protocol), which the pages'
    Content-Security-Policy does not govern, so the policy stays on during the journeys."""

    def __init__(self) -> None:
        self.source = AXE_JS.read_text() if AXE_JS.exists() else ""
        self.checked: list[str] = []
        self.violations: list[str] = []

    def watch(self, page: Any) -> None:
        page.on("load", self._check)

    def _check(self, page: Any) -> None:
        from playwright.sync_api import Error as PlaywrightError

        url = page.url
        try:
            page.evaluate(self.source)
            found = page.evaluate(_AXE_RUN)
        except PlaywrightError:
            return  # the journey navigated on (or closed the page) before axe finished: not checked
        self.checked.append(url)
        for v in found:
            if v["impact"] in AXE_FAILING:
                self.violations.append(f"{url}: [{v['impact']}] {v['id']} — {v['help']} {v['targets']}")


@pytest.fixture
def accessibility() -> AccessibilityCheck:
    if not AXE_JS.exists():
        pytest.fail(f"axe-core is missing at {AXE_JS}: run `make install` (npm ci installs it)")
    return AccessibilityCheck()


@pytest.fixture
def new_page(browser: Any, accessibility: AccessibilityCheck) -> Iterator[Callable[..., Any]]:
    """Open a page in a fresh browser context (own cookies): ``new_page(locale="es", width=1280)``.
    Every page it opens is checked with axe-core on load; the test fails on a critical or serious
    violation."""
    contexts: list[Any] = []

    def make(*, locale: str = "es-PE", width: int = DESKTOP["width"], height: int = DESKTOP["height"]) -> Any:
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        accessibility.watch(page)
        return page

    yield make
    for c in contexts:
        c.close()
    if contexts:  # a journey that opened pages had at least one of them checked
        assert accessibility.checked, "no page of the journey was checked for accessibility"
    assert accessibility.violations == [], "accessibility (axe-core):\n" + "\n".join(accessibility.violations)


@pytest.fixture
def browser_page(new_page: Callable[..., Any]) -> Any:
    """A desktop page whose browser prefers Spanish (Peru)."""
    return new_page()


@pytest.fixture
def newest_email(live_server: LiveServer) -> Callable[[str], Email | None]:
    """The newest email kept for an address (the development outbox), or None."""

    def find(address: str) -> Email | None:
        rows = live_server.query(
            'SELECT "to", subject, text_body, html_body, template FROM email WHERE lower("to") = lower($1) ORDER BY created_at DESC LIMIT 1',
            address,
        )
        return Email(**rows[0]) if rows else None

    return find


def screenshots_enabled() -> bool:
    return os.environ.get("ORDENA_SCREENSHOTS") == "1"


@pytest.fixture
def screenshot() -> Callable[[Any, str], None]:
    """Save docs/screenshots/<name>.png, only with ORDENA_SCREENSHOTS=1 (so runs don't rewrite them)."""

    def shoot(page: Any, name: str) -> None:
        if not screenshots_enabled():
            return
        SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS_DIR / f"{name}.png"), full_page=True)

    return shoot


@dataclass
class SignedUpFirm:
    firm_name: str
    slug: str
    name: str
    email: str
    password: str

    @property
    def path(self) -> str:
        return f"/w/{self.slug}"


@pytest.fixture
def sign_up_firm(live_url: str) -> Callable[..., SignedUpFirm]:
    """Sign a new firm up through the form (the page ends on the firm's dashboard)."""

    def sign_up(page: Any, *, firm_name: str | None = None, name: str = "Lucía Quispe") -> SignedUpFirm:
        tag = uuid.uuid4().hex[:8]
        firm = SignedUpFirm(
            firm_name=firm_name or f"Estudio Quispe {tag}",
            slug=f"quispe-{tag}",
            name=name,
            email=f"lucia.{tag}@example.com",
            password=E2E_PASSWORD,
        )
        page.goto(live_url + "/signup")
        page.fill("#f-firm_name", firm.firm_name)
        page.fill("#f-slug", firm.slug)
        page.fill("#f-name", firm.name)
        page.fill("#f-email", firm.email)
        page.fill("#f-password", firm.password)
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        if not page.url.endswith(firm.path):
            problems = page.locator(".field-error, .form-error").all_inner_texts()
            raise AssertionError(f"sign-up did not reach {firm.path} (at {page.url}): {problems}")
        return firm

    return sign_up


def log_in(page: Any, live_url: str, email: str, password: str) -> None:
    page.goto(live_url + "/login")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def log_out(page: Any) -> None:
    page.click("header details.dropdown summary")
    page.click("header form[action='/logout'] button")
    page.wait_for_load_state()


@dataclass
class MailedLiveServer:
    """A live server whose mail goes out over SMTP to a real (aiosmtpd) server: ``.inbox``."""

    server: LiveServer
    inbox: Any

    @property
    def url(self) -> str:
        return self.server.url

    def wait_for_mail(self, address: str, *, within: float = 20.0) -> Email:
        """The newest message the SMTP server received for ``address`` (the in-process worker
        sends it a moment after the request that wrote it)."""
        deadline = time.monotonic() + within
        while not (received := self.inbox.to(address)):
            if time.monotonic() > deadline:
                raise AssertionError(f"no mail for {address} reached the SMTP server within {within:.0f} s")
            time.sleep(0.1)
        message = received[-1]
        text, html = message.get_body(("plain",)), message.get_body(("html",))
        return Email(
            to=address,
            subject=str(message["Subject"]),
            text_body=text.get_content() if text is not None else "",
            html_body=html.get_content() if html is not None else "",
            template="",
        )


@pytest.fixture
def smtp_live_server(migrated: Settings) -> Iterator[MailedLiveServer]:
    """Another live server, for one test, configured with ``smtp_host``/``smtp_port`` of an aiosmtpd
    server started on a free port (the session's ``live_server`` keeps the development outbox).

    dramatiq keeps process-wide state (the global broker, the AsyncIO event-loop thread that the
    last worker started and the first one to stop tears down): it is put back afterwards, so the
    session's ``live_server`` keeps working for the journeys that run after this one."""
    import dramatiq.asyncio as dramatiq_asyncio
    import dramatiq.broker as dramatiq_broker
    from aiosmtpd.controller import Controller

    from ordena.jobs import runtime
    from tests.integration.mail.smtp import Inbox

    saved = (dramatiq_broker.global_broker, dramatiq_asyncio.get_event_loop_thread(), runtime._worker_settings)
    inbox = Inbox()
    smtp_port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    port = _free_port()
    settings = replace(
        migrated,
        base_url=f"http://127.0.0.1:{port}",
        port=port,
        host="127.0.0.1",
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        mail_from="Ordena <hola@ordena.test>",
    )
    # The other live servers share the database: their outbox relays would race this one for the
    # rows it must send over SMTP (and deliver them to the development outbox instead).
    others = list(RUNNING)
    for other in others:
        other.app.state.jobs.relay.paused = True
    server = LiveServer(settings)
    try:
        server.start()
        yield MailedLiveServer(server, inbox)
    finally:
        server.stop()
        for other in others:
            other.app.state.jobs.relay.paused = False
        controller.stop()
        dramatiq_broker.global_broker, thread, runtime._worker_settings = saved
        if thread is not None:
            dramatiq_asyncio.set_event_loop_thread(thread)
