"""Browser tests: the real dashboard on loopback, driven in Debian's headless Chromium by Playwright.

One Chromium for the whole session (`browser`); every test gets a clean context (no cookies, its own
time zone and colour scheme) from `new_page`, whose requests may only go to 127.0.0.1: anything else
is aborted and recorded, and the test fails if any was attempted. Screenshots go under the test's
tmp_path. Chromium is never downloaded (no `playwright install`): a Chromium that cannot start is a
failure under CI=true (`.ci/run` installs Debian's `chromium`) and a skip, with the reason, elsewhere.

The network guard (tests/conftest.py) stays on: Playwright talks to its driver over pipes, and
Chromium, a process of its own, only ever connects to the dashboard on 127.0.0.1.

Everything here runs on one event loop for the session (the browser's connection is bound to the loop
that started it), so the dashboard and its partnerbot are built on that loop too (`programme`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Page, Route, async_playwright
from playwright.async_api import Error as PlaywrightError

from bot.app import dashboard_access
from bot.cli.dashboard import SIGN_IN_PATH
from tests.conftest import IN_CI, FakeClock
from tests.harness import Harness, make_harness
from tests.integration.support import broadcast_and_send, setup_topics
from tests.web.support import ADMIN_REF, Dashboard, close_dashboard, open_dashboard

CHROMIUM = os.environ.get("PARTNERBOT_CHROMIUM", "/usr/bin/chromium")
# The flags Chromium needs on a machine without internet (and as root, in CI): no sandbox, no GPU,
# none of its own background traffic (update checks, sync, QUIC probes).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
HTTP_STATUS_ERROR = "Failed to load resource: the server responded with a status of"


def _cannot_start(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"Chromium is required under CI=true but cannot start: {reason}")
    pytest.skip(f"no browser tests here: {reason} (install Debian's chromium, or set PARTNERBOT_CHROMIUM)")


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        _cannot_start(f"{CHROMIUM} does not exist")
    async with async_playwright() as playwright:
        try:
            chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except PlaywrightError as exc:
            _cannot_start(str(exc).splitlines()[0])
        yield chromium
        await chromium.close()


@dataclass
class Tab:
    """A page in a clean context, what it tried to fetch off the machine, and what it logged."""

    page: Page
    context: BrowserContext
    shots: Path
    offsite: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    async def shot(self, name: str) -> Path:
        path = self.shots / f"{name}.png"
        await self.page.screenshot(path=str(path))
        return path


NewPage = Callable[..., Awaitable[Tab]]


@pytest_asyncio.fixture(loop_scope="session")
async def new_page(browser: Browser, tmp_path: Path) -> AsyncIterator[NewPage]:
    """`tab = await new_page(timezone_id="Asia/Tokyo")`: a page in a new context (context options as
    Playwright's new_context takes them; 1280x800, en-US and UTC unless given)."""
    tabs: list[Tab] = []

    async def make(**options: Any) -> Tab:
        options = {"viewport": DESKTOP, "locale": "en-US", "timezone_id": "UTC", **options}
        context = await browser.new_context(**options)
        context.set_default_timeout(10_000)
        tab = Tab(await context.new_page(), context, tmp_path)

        async def only_loopback(route: Route) -> None:
            if urlsplit(route.request.url).hostname == "127.0.0.1":
                await route.continue_()
            else:
                tab.offsite.append(route.request.url)
                await route.abort("blockedbyclient")

        def console(message: ConsoleMessage) -> None:
            # Script errors and refusals (a CSP violation); an HTTP error status is checked by the tests.
            if message.type == "error" and not message.text.startswith(HTTP_STATUS_ERROR):
                tab.errors.append(message.text)

        await context.route("**/*", only_loopback)
        tab.page.on("console", console)
        tab.page.on("pageerror", lambda exc: tab.errors.append(str(exc)))
        tabs.append(tab)
        return tab

    yield make
    for tab in tabs:
        await tab.context.close()
    for tab in tabs:
        assert tab.offsite == [], f"the page tried to fetch from off the machine: {tab.offsite}"


# --- a little programme, made through the chat ---------------------------------------------------


@dataclass
class Programme:
    """partnerbot with three partners, two topics, two delivered announcements, reactions and an open
    question (its chat workspace starts empty: the story is in the database), and its dashboard on a
    loopback port."""

    harness: Harness
    dashboard: Dashboard
    question: str = "Does the patch need a reboot?"

    def url(self, path: str) -> str:
        return self.dashboard.url(path)

    async def link(self) -> str:
        """A one-time sign-in link, as `partnerbot dashboard link` prints it."""
        token = await dashboard_access(self.harness.app).issue_link(ADMIN_REF, via="cli")
        return str(self.dashboard.server.make_url(f"{SIGN_IN_PATH}?token={token}"))

    async def sign_in(self, tab: Tab) -> None:
        await tab.page.goto(await self.link())
        await tab.page.get_by_role("button", name="Sign in").click()
        await tab.page.wait_for_url(self.url("/"))


async def seed(h: Harness, clock: FakeClock, question: str) -> None:
    await setup_topics(h, "security", "pricing")
    await h.join("acme", "Acme Networks", tier="gold", region="emea")
    await h.join("birch", "Birch Systems", tier="silver", region="na", type="msp")
    await h.join("cedar", "Cedar IT", tier="registered", region="apac", type="integrator")
    await h.subscribe("acme", "security pricing")
    await h.subscribe("birch", "security")
    await h.subscribe("cedar", "pricing")
    await broadcast_and_send(h, 'topic:security title:"Patch Tuesday"', "Please patch the appliances.")
    await h.deliver()
    clock.advance(hours=3)
    acme, birch = h.posts("acme")[0], h.posts("birch")[0]
    assert await h.local.react("pat", acme, "thumbsup")
    assert await h.local.react("kim", birch, "tada")
    asked = await h.local.say("pat", "acme", question, thread=acme.id)
    assert asked is not None and not asked.is_error, asked
    await h.deliver()
    clock.advance(days=1)
    await broadcast_and_send(h, 'topic:pricing title:"New price list"', "Prices change on 1 December.")
    await h.deliver()
    clock.advance(hours=2)
    assert await h.local.react("lee", h.posts("cedar")[0], "thumbsup")


@dataclass(frozen=True)
class Seeded:
    """The programme's database file, and the time its story ended."""

    path: Path
    now: datetime


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def seeded(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    """The programme is played through the chat once per session; each test gets a copy of it."""
    path = tmp_path_factory.mktemp("programme") / "programme.db"
    shutil.copy(sqlite_template, path)
    clock = FakeClock()
    h = await make_harness(f"sqlite:///{path}", clock)
    try:
        await seed(h, clock, Programme.question)
    finally:
        await h.close()
    assert not path.with_name(f"{path.name}-wal").exists()  # all of it is in the one file
    return Seeded(path, clock.now())


@pytest_asyncio.fixture(loop_scope="session")
async def programme(seeded: Seeded, tmp_path: Path) -> AsyncIterator[Programme]:
    path = tmp_path / "partnerbot.db"
    shutil.copy(seeded.path, path)
    h = await make_harness(f"sqlite:///{path}", FakeClock(seeded.now))
    try:
        dashboard = await open_dashboard(h)
        try:
            yield Programme(h, dashboard)
        finally:
            await close_dashboard(dashboard)
    finally:
        await h.close()
