"""Live parts (static/dashboard.js): an element with data-refresh is replaced by its fragment until the
fragment says "X-Refresh: stop".

Tested on a page of the test's own, served beside the real dashboard on the same loopback server, with
the dashboard's Content-Security-Policy and its real script (/dashboard/static/dashboard.js): the
pages that refresh (a broadcast in progress) come with another dashboard branch, and a data: or
inline page could not load the script under that policy anyway. The fragment is scripted: an update,
a failure (retried), an update, then stop. A second part on the page that never stops is the clock
the test waits on: once it has ticked four more times, the stopped part would have asked again.
"""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from playwright.async_api import expect

from adapters.web.app import CONTENT_SECURITY_POLICY, mount
from bot.app import dashboard_app
from tests.browser.conftest import NewPage, Programme

pytestmark = pytest.mark.asyncio(loop_scope="session")

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>live</title>
<script src="/dashboard/static/dashboard.js" defer></script></head>
<body><div id="live" data-refresh="/live/fragment" data-every="0.2"><p>waiting</p></div>
<div id="clock" data-refresh="/live/clock" data-every="0.2"></div></body></html>"""


async def test_a_live_part_is_replaced_until_its_fragment_says_stop(
    programme: Programme, new_page: NewPage
) -> None:
    calls: list[int] = []
    # The first update waits until the test has seen the part as served: at 0.2 s a tick, a loaded
    # machine could otherwise replace it before it is read (seen once in CI).
    seen_as_served = asyncio.Event()

    async def live(request: web.Request) -> web.Response:
        return web.Response(
            text=PAGE, content_type="text/html", headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY}
        )

    async def fragment(request: web.Request) -> web.Response:
        await seen_as_served.wait()
        calls.append(len(calls) + 1)
        n = len(calls)
        if n == 2:
            return web.Response(status=503, text="restarting")  # kept, tried again at the next tick
        stop = {"X-Refresh": "stop"} if n == 3 else {}
        at = '<time datetime="2026-11-24T09:00:00+00:00">2026-11-24 09:00 UTC</time>'
        return web.Response(text=f"<p>update {n} at {at}</p>", content_type="text/html", headers=stop)

    clock_calls: list[int] = []
    clock_target: list[int] = []  # when set: the clock's call that lets the test go on
    clock_reached = asyncio.Event()

    async def clock(request: web.Request) -> web.Response:
        clock_calls.append(len(clock_calls) + 1)
        if clock_target and len(clock_calls) >= clock_target[0]:
            clock_reached.set()
        return web.Response(text="tick", content_type="text/html")

    root = web.Application()
    root.router.add_get("/live", live)
    root.router.add_get("/live/fragment", fragment)
    root.router.add_get("/live/clock", clock)
    mount(root, dashboard_app(programme.harness.app))
    server = TestServer(root, host="127.0.0.1")
    await server.start_server()
    try:
        tab = await new_page(timezone_id="Asia/Tokyo")
        page = tab.page
        await page.goto(str(server.make_url("/live")))
        live_part = page.locator("#live")
        assert await live_part.inner_text() == "waiting"
        seen_as_served.set()
        # (expect polls from outside the page: wait_for_function would need eval, which the CSP refuses)
        await expect(live_part).to_have_attribute("data-refreshed", "1")
        assert (await live_part.inner_text()).startswith("update 1 at Nov 24, 2026, 6:00")  # times localised
        await expect(live_part).to_have_attribute("data-refreshed", "2")
        assert (await live_part.inner_text()).startswith("update 3 at ")  # the failure in between was skipped
        # Four more ticks of the page's own timers (the clock part's), and the stopped part asked nothing.
        clock_target.append(len(clock_calls) + 4)
        await asyncio.wait_for(clock_reached.wait(), 20)
        assert calls == [1, 2, 3]
        assert await live_part.get_attribute("data-refreshed") == "2"
        assert tab.errors == [], tab.errors  # no CSP refusal: the script is the dashboard's own file
    finally:
        seen_as_served.set()  # a failed assertion must not leave the handler waiting
        await server.close()
