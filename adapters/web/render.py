"""Server-side pages: Jinja2 templates (autoescaped), numbers in the viewer's locale (Babel, from
Accept-Language), times as <time> elements that static/dashboard.js shows in the viewer's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal, format_percent
from jinja2 import Environment, PackageLoader, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup

from adapters.web.sessions import CSRF_FIELD, SignedIn

PREFIX = "/dashboard"
SIGNED_IN_KEY: web.RequestKey[SignedIn] = web.RequestKey("partnerbot_signed_in", SignedIn)

# The pages in the navigation bar, in order: (path under /dashboard, label).
NAVIGATION: tuple[tuple[str, str], ...] = (
    ("/", "Overview"),
    ("/announcements", "Announcements"),
    ("/partners", "Partners"),
    ("/topics", "Topics"),
    ("/calendar", "Calendar"),
    ("/questions", "Questions"),
    ("/audit", "Audit log"),
)

# Messages may say `a command` or **bold**; nothing else (no HTML, no links) is interpreted.
_inline = MarkdownIt("zero").enable(["backticks", "emphasis"])


def markdown(text: str) -> Markup:
    return Markup(_inline.renderInline(text))


_env = Environment(
    loader=PackageLoader("adapters.web", "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def locale_of(request: web.Request) -> Locale:
    """The viewer's first Accept-Language that Babel knows, else English."""
    for part in request.headers.get("Accept-Language", "").split(","):
        tag = part.split(";")[0].strip()
        if not tag or tag == "*":
            continue
        try:
            return Locale.parse(tag, sep="-")
        except (UnknownLocaleError, ValueError):
            continue
    return Locale("en")


def when(value: datetime | None) -> Markup:
    """A <time> the browser shows in the viewer's zone; readable UTC without JavaScript."""
    if value is None:
        return Markup("—")
    utc = value.astimezone(UTC)
    return Markup('<time datetime="{}">{}</time>').format(utc.isoformat(), utc.strftime("%Y-%m-%d %H:%M UTC"))


def url(path: str, **query: Any) -> str:
    """A dashboard URL; query values that are None or "" are left out (stable, shareable links)."""
    kept = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{PREFIX}{path}" + (f"?{urlencode(kept)}" if kept else "")


def page(request: web.Request, template: str, *, status: int = 200, **context: Any) -> web.Response:
    """Render `template` with what every page needs (who is signed in, the CSRF field, formatting)."""
    locale = locale_of(request)
    signed: SignedIn | None = request.get(SIGNED_IN_KEY)

    def number(value: float | int | None, digits: int = 0) -> str:
        if value is None:
            return "—"
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=locale)

    def percent(value: float | None) -> str:
        return "—" if value is None else format_percent(value, format="#,##0.0%", locale=locale)

    def csrf_input() -> Markup:
        token = signed.csrf if signed else ""
        return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, token)

    body = _env.get_template(template).render(
        signed=signed,
        csrf_token=signed.csrf if signed else "",
        csrf_input=csrf_input,
        navigation=NAVIGATION,
        current=request.path,
        prefix=PREFIX,
        url=url,
        number=number,
        percent=percent,
        when=when,
        markdown=markdown,
        lang=locale.language,
        **context,
    )
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")
