"""The call-to-action redirect: `/r/<token>` counts one click and sends the browser on (302).

Discord's link buttons and the links in digests tell partnerbot nothing when they are clicked, so
with PARTNERBOT_PUBLIC_URL they point here. The core reads the signed token (bot/services/cta.py):
only a genuine one for a stored CTA redirects, and only to the URL stored for that CTA of that
announcement — so this is no open redirect. Anything else is a 404 page, and nothing is counted.
Mounted at /r/ beside /dashboard/ (bot/app.py), on the Slack adapter's server or the root's own.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot import messages as m

PREFIX = "/r"
Follow = Callable[[str], Awaitable[str | None]]
_FOLLOW: web.AppKey[Follow] = web.AppKey("partnerbot_cta_follow")
# The browser goes on to the partner's page: it learns nothing of partnerbot's address or token.
_HEADERS = {
    "Cache-Control": "no-store",  # every click must reach partnerbot to be counted
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}
_NOT_FOUND = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{text}</title></head>'
    "<body><p>{text}</p></body></html>"
)


def build_redirect(follow: Follow) -> web.Application:
    """The /r/ sub-application; `follow` is the core's `PartnerBot.cta_redirect`."""
    app = web.Application()
    app[_FOLLOW] = follow
    # GET only: a HEAD (a link checker, an unfurler's probe) must not count as a click.
    app.router.add_get("/{token}", _redirect, allow_head=False)
    return app


def mount(root: web.Application, redirect: web.Application) -> None:
    root.add_subapp(f"{PREFIX}/", redirect)


async def _redirect(request: web.Request) -> web.StreamResponse:
    url = await request.app[_FOLLOW](request.match_info["token"])
    if url is None:
        body = _NOT_FOUND.format(text=html.escape(m.CTA_REDIRECT_NOT_FOUND))
        return web.Response(status=404, text=body, content_type="text/html", headers=_HEADERS)
    raise web.HTTPFound(url, headers=_HEADERS)
