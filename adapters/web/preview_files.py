"""Announcements' images for Slack (a draft's preview, and "Show" under a search result, whose
private message cannot carry files): `/f/<token>` serves the image a signed, expiring token names.

Slack's image block fetches its `image_url` from the public internet, so with PARTNERBOT_PUBLIC_URL
the preview links here. The core reads the token (bot/services/preview_images.py): only a genuine,
unexpired one, naming an image of that announcement, is served, with its stored type. Anything else
is a 404 page. Mounted at /f/ beside /r/ (bot/app.py), on the Slack adapter's server or the root's own.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot import messages as m
from bot.services.preview_images import FILE_PATH, PreviewImage

PREFIX = FILE_PATH.rstrip("/")
Read = Callable[[str], Awaitable[PreviewImage | None]]
_READ: web.AppKey[Read] = web.AppKey("partnerbot_preview_image")
_HEADERS = {
    "Cache-Control": "private, max-age=300",  # the link expires; caches must not outlive it by much
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}
_NOT_FOUND = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{text}</title></head>'
    "<body><p>{text}</p></body></html>"
)


def build_preview_files(read: Read) -> web.Application:
    """The /f/ sub-application; `read` is the core's `PartnerBot.preview_image`."""
    app = web.Application()
    app[_READ] = read
    app.router.add_get("/{token}", _image)  # HEAD too: Slack's unfurler may probe first
    return app


def mount(root: web.Application, files: web.Application) -> None:
    root.add_subapp(f"{PREFIX}/", files)


async def _image(request: web.Request) -> web.StreamResponse:
    image = await request.app[_READ](request.match_info["token"])
    if image is None:
        body = _NOT_FOUND.format(text=html.escape(m.PREVIEW_IMAGE_NOT_FOUND))
        headers = _HEADERS | {"Cache-Control": "no-store"}
        return web.Response(status=404, text=body, content_type="text/html", headers=headers)
    return web.Response(body=image.data, content_type=image.media_type, headers=_HEADERS)
