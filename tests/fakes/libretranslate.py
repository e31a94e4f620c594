"""A LibreTranslate-compatible server on loopback, for the translator adapter's tests.

`POST /translate` takes JSON `{"q": str | [str…], "source", "target", "format", "api_key"}` and
answers `{"translatedText": …}` of the same shape (a list for a list), as LibreTranslate does; a
wrong or missing key (when one is required) is 403 `{"error": "Invalid API key"}`, a missing field
400. Its "translation" is deterministic: the text upper-cased after a `<target>:` mark, so a URL or
code that went through it shows. `status` forces an error answer; `hang` makes it never answer
(until `release`); `raw` answers that text instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer


def fake_translation(text: str, target: str) -> str:
    return f"{target}:{text.upper()}"


@dataclass
class FakeLibreTranslate:
    api_key: str = ""
    status: int | None = None
    hang: bool = False
    raw: str | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def translate(self, request: web.Request) -> web.StreamResponse:
        payload = await request.json()
        self.requests.append(payload)
        if self.hang:
            await self.release.wait()
        if self.api_key and payload.get("api_key") != self.api_key:
            return web.json_response({"error": "Invalid API key"}, status=403)
        if self.status is not None:
            return web.json_response({"error": "Slowdown: too many requests"}, status=self.status)
        if self.raw is not None:
            return web.Response(text=self.raw, content_type="application/json")
        q, target = payload.get("q"), payload.get("target")
        if q is None or not target:
            return web.json_response({"error": "Invalid request: missing q parameter"}, status=400)
        if isinstance(q, list):
            return web.json_response({"translatedText": [fake_translation(t, target) for t in q]})
        return web.json_response({"translatedText": fake_translation(q, target)})


@asynccontextmanager
async def libretranslate(fake: FakeLibreTranslate) -> AsyncIterator[str]:
    """The fake served on 127.0.0.1; yields its base URL."""
    app = web.Application()
    app.router.add_post("/translate", fake.translate)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        fake.release.set()
        await server.close()
