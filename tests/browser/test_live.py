"""Live parts (static/dashboard.js): an element with data-refresh is replaced by its fragment until the
fragment says "X-Refresh: stop".

Tested on a page of the test's own, served beside the real dashboard on the same loopback server, with
the dashboard's Content-Security-Policy and its real script (/dashboard/static/dashboard.js): the
pages that refresh (a broadcast in progress) come with another dashboard branch, and a data: or
inline page could not load the script under that policy anyway. The fragment is scripted: an update,
a failure (retried), an update, then stop.
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
<body><div id="live" data-refresh="/live/fragment" data-every="0.2"><p>waiting</p></div></body></html>"""


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

    root = web.Application()
    root.router.add_get("/live", live)
    root.router.add_get("/live/fragment", fragment)
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
        await asyncio.sleep(0.8)  # four more ticks' time: stopped, nothing more asked
        assert calls == [1, 2, 3]
        assert await live_part.get_attribute("data-refreshed") == "2"
        assert tab.errors == [], tab.errors  # no CSP refusal: the script is the dashboard's own file
    finally:
        seen_as_served.set()  # a failed assertion must not leave the handler waiting
        await server.close()
