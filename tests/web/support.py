"""A signed-in browser for request tests of the dashboard: the real aiohttp application on a loopback
port, a real cookie jar, forms posted with the CSRF token the page carries."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.app import dashboard_access, dashboard_app
from bot.domain.refs import Platform, UserRef
from tests.harness import ADMIN, Harness

ADMIN_REF = UserRef(Platform.LOCAL, "", ADMIN, "Alice")
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Dashboard:
    """`await d.get("/audit")` → (status, text); paths are under /dashboard."""

    harness: Harness
    server: TestServer
    http: aiohttp.ClientSession
    csrf: str = ""
    pages: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return str(self.server.make_url(f"/dashboard{path}"))

    async def get(self, path: str, **kwargs: Any) -> tuple[int, str]:
        async with self.http.get(self.url(path), allow_redirects=False, **kwargs) as response:
            text = await response.text()
            self._remember(text)
            if 300 <= response.status < 400:
                return response.status, response.headers.get("Location", "")
            return response.status, text

    async def response(self, method: str, path: str, **kwargs: Any) -> aiohttp.ClientResponse:
        """The raw response (headers included), read fully."""
        response = await self.http.request(method, self.url(path), allow_redirects=False, **kwargs)
        await response.read()
        return response

    async def post(
        self, path: str, data: dict[str, str] | None = None, *, csrf: bool = True
    ) -> tuple[int, str]:
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf_token", self.csrf)
        async with self.http.post(self.url(path), data=form, allow_redirects=False) as response:
            text = await response.text()
            self._remember(text)
            if 300 <= response.status < 400:
                return response.status, response.headers.get("Location", "")
            return response.status, text

    async def link(self, admin: UserRef = ADMIN_REF) -> str:
        return await dashboard_access(self.harness.app).issue_link(admin, via="test")

    async def sign_in(self, admin: UserRef = ADMIN_REF) -> None:
        token = await self.link(admin)
        status, location = await self.post("/signin/link", {"token": token}, csrf=False)
        assert status == 302, (status, location)
        status, text = await self.get("/audit")
        assert status == 200, (status, text)

    def _remember(self, text: str) -> None:
        if found := _CSRF.search(text):
            self.csrf = found.group(1)


async def open_dashboard(harness: Harness) -> Dashboard:
    root = web.Application()
    from adapters.web.app import mount

    mount(root, dashboard_app(harness.app))
    server = TestServer(root, host="127.0.0.1")
    await server.start_server()
    http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    return Dashboard(harness, server, http)


async def close_dashboard(d: Dashboard) -> None:
    await d.http.close()
    await d.server.close()
