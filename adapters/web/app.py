"""The dashboard application: sessions, the sign-in gate, CSRF, security headers, and the pages.

Mounted at /dashboard/ (`mount`): on the Slack adapter's server when it has one, else on the root's
own (bot/app.py). Every page needs a signed-in admin; the sign-in routes and the static files do not.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from importlib.resources import files

from aiohttp import web
from aiohttp_session import setup as setup_sessions

from adapters.web import sessions
from adapters.web.deps import DEPS, DashboardDeps, deps
from adapters.web.pages import announcements, audit, calendar, partners, signin, signin_platforms, topics
from adapters.web.pages import overview as overview_page
from adapters.web.pages import questions as questions_page
from adapters.web.render import PREFIX, SIGNED_IN_KEY, page

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Routes anyone may open (by route name): the sign-in page and its methods, and the static files.
PUBLIC_ROUTES = frozenset({"signin", "signin-link", "static"}) | signin_platforms.PUBLIC_ROUTES
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# No CDN, no inline script: only the dashboard's own files. Inline styles stay allowed for the SVG
# charts (pygal writes a <style> into each).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def build_dashboard(dashboard: DashboardDeps) -> web.Application:
    """The /dashboard/ sub-application (mount it with `mount`)."""
    app = web.Application(middlewares=[_security_headers])
    app[DEPS] = dashboard
    max_age = int(dashboard.settings.dashboard_session_hours * 3600)
    secure = dashboard.settings.base_url().startswith("https://")
    setup_sessions(app, sessions.storage(dashboard.session_key, max_age=max_age, secure=secure, path=PREFIX))
    app.middlewares.append(_gate)
    signin.add_routes(app.router)
    signin_platforms.setup(app, dashboard.signins)
    audit.add_routes(app.router)
    overview_page.add_routes(app.router)
    announcements.add_routes(app.router)
    questions_page.add_routes(app.router)
    partners.add_routes(app.router)
    topics.add_routes(app.router)
    calendar.add_routes(app.router)
    app.router.add_static("/static/", str(files("adapters.web") / "static"), name="static")
    return app


def mount(root: web.Application, dashboard: web.Application) -> None:
    """Serve `dashboard` under /dashboard/ on `root` (and /dashboard without the slash redirects)."""

    async def slash(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(f"{PREFIX}/")

    root.router.add_get(PREFIX, slash)
    root.add_subapp(f"{PREFIX}/", dashboard)


@web.middleware
async def _security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if not request.path.startswith(f"{PREFIX}/static/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@web.middleware
async def _gate(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Signed-in admins only; every state-changing request carries the session's CSRF token."""
    route = request.match_info.route.name
    if route in PUBLIC_ROUTES:
        return await handler(request)
    d = deps(request)
    signed, expired = await sessions.current(request, now=d.clock.now().timestamp())
    if signed is None:
        return _to_signin(request, expired=expired)
    request[SIGNED_IN_KEY] = signed
    if request.method not in _SAFE_METHODS:
        presented = request.headers.get(sessions.CSRF_HEADER)
        if presented is None and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            presented = str((await request.post()).get(sessions.CSRF_FIELD, "")) or None
        if not sessions.csrf_ok(signed, presented):
            log.warning(
                "dashboard: refused a %s to %s without a valid CSRF token", request.method, request.path
            )
            await d.access.audit(signed.admin, "dashboard-csrf", request.path, allowed=False)
            return page(
                request,
                "message.html",
                status=403,
                title="This form has expired",
                message="The page you sent it from is too old or did not come from the dashboard. "
                "Reload the page and try again.",
            )
    return await handler(request)


def _to_signin(request: web.Request, *, expired: bool) -> web.StreamResponse:
    """Pages send the browser to the sign-in page (back here afterwards); scripts get a 401."""
    if request.method not in _SAFE_METHODS or request.headers.get("Accept", "").startswith(
        "application/json"
    ):
        return web.json_response({"error": "sign in first"}, status=401)
    target = signin.signin_url(next_path=request.path_qs, expired=expired)
    raise web.HTTPFound(target)
