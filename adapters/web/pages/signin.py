"""Signing in and out: the sign-in page, one-time links, and what every sign-in method ends with.

A one-time link opens a confirmation page whose button signs in (a POST), so a link-preview robot
(Slack's unfurler, a mail scanner) that fetches the link does not use it up.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from aiohttp import web

from adapters.web import sessions
from adapters.web.deps import deps
from adapters.web.render import PREFIX, SIGNED_IN_KEY, page
from bot.domain.refs import UserRef


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/signin", show_signin, name="signin")
    link = router.add_resource("/signin/link", name="signin-link")
    link.add_route("GET", confirm_link)
    link.add_route("POST", use_link)
    router.add_post("/signout", sign_out, name="signout")


def signin_url(*, next_path: str = "", expired: bool = False) -> str:
    query = {k: v for k, v in (("next", next_path), ("expired", "1" if expired else "")) if v}
    return f"{PREFIX}/signin" + (f"?{urlencode(query)}" if query else "")


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a dashboard path only (never another site)."""
    if not value:
        return f"{PREFIX}/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path.startswith(f"{PREFIX}/") or "\\" in value:
        return f"{PREFIX}/"
    return value


async def show_signin(request: web.Request) -> web.StreamResponse:
    d = deps(request)
    return page(
        request,
        "signin.html",
        title="Sign in",
        expired=request.query.get("expired") == "1",
        next_path=safe_next(request.query.get("next")),
        methods=sign_in_methods(request),
        link_minutes=d.settings.dashboard_link_minutes,
    )


def sign_in_methods(request: web.Request) -> list[tuple[str, str]]:
    """The configured platform sign-ins as (label, start URL); none until a method is configured."""
    return list(request.config_dict.get(METHODS_KEY, ()))


# Each configured sign-in method (Slack OpenID Connect, Discord OAuth2) adds its (label, start URL).
METHODS_KEY: web.AppKey[list[tuple[str, str]]] = web.AppKey("partnerbot_signin_methods", list)


async def confirm_link(request: web.Request) -> web.StreamResponse:
    token = request.query.get("token", "")
    return page(request, "signin_link.html", title="Sign in", token=token, next_path=safe_next(None))


async def use_link(request: web.Request) -> web.StreamResponse:
    d = deps(request)
    form = await request.post()
    admin = await d.access.redeem(str(form.get("token", "")))
    if admin is None:
        return page(
            request,
            "message.html",
            status=403,
            title="This sign-in link does not work",
            message="It has been used already, has expired, or was copied incompletely. Ask for a new one: "
            "say `dashboard` in the admin channel, or run `partnerbot dashboard link`.",
        )
    return await complete_signin(request, admin, via="link", next_path=safe_next(None))


async def complete_signin(
    request: web.Request, admin: UserRef, *, via: str, next_path: str
) -> web.StreamResponse:
    """Start the admin's session (audited) and go where they were going. Callers have checked that
    `admin` is a partnerbot admin (a link is only issued to one; OAuth sign-ins check first)."""
    d = deps(request)
    seconds = d.settings.dashboard_session_hours * 3600
    await sessions.start(request, admin, via=via, now=d.clock.now().timestamp(), seconds=seconds)
    await d.access.audit(admin, "dashboard-sign-in", f"via {via}")
    raise web.HTTPFound(safe_next(next_path))


async def refuse(request: web.Request, user: UserRef, *, via: str) -> web.StreamResponse:
    """Someone who signed in but is not a partnerbot admin: a clear 403, audited, no session."""
    d = deps(request)
    # Whoever was signed in in this browser before is not who is at the keyboard now: sign them out.
    await sessions.end(request)
    await d.access.audit(user, "dashboard-sign-in", f"via {via}: not an admin", allowed=False)
    return page(
        request,
        "message.html",
        status=403,
        title="You are not a partnerbot admin",
        message=f"You signed in as {user.display_name or user.user} ({user.platform.value}), but the "
        "dashboard is only for partnerbot admins: the people in PARTNERBOT_ADMIN_USERS or in an admin "
        "group. Ask an admin to add you.",
    )


async def sign_out(request: web.Request) -> web.StreamResponse:
    d = deps(request)
    signed = request.get(SIGNED_IN_KEY)
    await sessions.end(request)
    if signed is not None:
        await d.access.audit(signed.admin, "dashboard-sign-out")
    return page(request, "message.html", title="Signed out", message="You have signed out of the dashboard.")
