"""The routes of "Sign in with Slack" and "Sign in with Discord": a start that sends the browser to the
platform (the sign-in in progress remembered in the session cookie), and a callback that checks it,
asks the platform who came back, and either starts the admin's session or refuses (403, audited).

Each method is offered (a button on the sign-in page) only when configured: `PlatformSignIns`.
"""

from __future__ import annotations

import logging

from aiohttp import web

from adapters.web import oauth, oauth_discord, oauth_slack
from adapters.web.deps import deps
from adapters.web.oauth import SignInFailed
from adapters.web.pages.signin import METHODS_KEY, complete_signin, refuse, safe_next
from adapters.web.render import PREFIX, page
from adapters.web.signins import PlatformSignIns

log = logging.getLogger(__name__)

# Routes anyone may open (they are how one signs in).
PUBLIC_ROUTES = frozenset(
    {"signin-slack", "signin-slack-callback", "signin-discord", "signin-discord-callback"}
)
SLACK_LABEL = "Sign in with Slack"
DISCORD_LABEL = "Sign in with Discord"


def setup(app: web.Application, signins: PlatformSignIns) -> None:
    """Add the routes, and a button on the sign-in page for each configured method."""
    app.router.add_get("/signin/slack", start_slack, name="signin-slack")
    app.router.add_get("/signin/slack/callback", slack_callback, name="signin-slack-callback")
    app.router.add_get("/signin/discord", start_discord, name="signin-discord")
    app.router.add_get("/signin/discord/callback", discord_callback, name="signin-discord-callback")
    methods = []
    if signins.slack is not None:
        methods.append((SLACK_LABEL, f"{PREFIX}/signin/slack"))
    if signins.discord is not None:
        methods.append((DISCORD_LABEL, f"{PREFIX}/signin/discord"))
    app[METHODS_KEY] = methods


def redirect_uri(request: web.Request, via: str) -> str:
    """The callback address to register with the platform: on PARTNERBOT_PUBLIC_URL when set, else
    on the address this request came to."""
    settings = deps(request).settings
    base = settings.public_url.rstrip("/") if settings.public_url else str(request.url.origin())
    return f"{base}{PREFIX}/signin/{via}/callback"


def _not_configured(request: web.Request, platform: str) -> web.StreamResponse:
    return page(
        request,
        "message.html",
        status=404,
        title=f"Sign in with {platform} is not set up",
        message=f'This dashboard does not offer Sign in with {platform} (README "Dashboard" says how '
        "to turn it on). Sign in with a one-time link instead: say `dashboard` in the admin channel, "
        "or run `partnerbot dashboard link`.",
    )


def _failed(request: web.Request, failure: SignInFailed) -> web.StreamResponse:
    return page(request, "message.html", status=400, title=failure.title, message=failure.message)


async def _start(request: web.Request, via: str) -> oauth.Pending:
    d = deps(request)
    pending = oauth.new_pending(
        via, next_path=safe_next(request.query.get("next")), now=d.clock.now().timestamp()
    )
    await oauth.remember(request, pending)
    return pending


async def _callback_pending(request: web.Request, via: str) -> oauth.Pending:
    """The sign-in this callback finishes; a platform's own refusal (`error=access_denied`) too."""
    d = deps(request)
    pending = await oauth.take(
        request, via, state=request.query.get("state", ""), now=d.clock.now().timestamp()
    )
    if error := request.query.get("error"):
        raise SignInFailed(
            "The sign-in was cancelled",
            f"The platform answered `{error}` instead of signing you in (for example because "
            "the access was declined). Nothing was signed in. Go back to the sign-in page to try again.",
        )
    return pending


# --- Slack -----------------------------------------------------------------------------------------


async def start_slack(request: web.Request) -> web.StreamResponse:
    config = deps(request).signins.slack
    if config is None:
        return _not_configured(request, "Slack")
    pending = await _start(request, "slack")
    raise web.HTTPFound(oauth_slack.authorization_url(config, redirect_uri(request, "slack"), pending))


async def slack_callback(request: web.Request) -> web.StreamResponse:
    d = deps(request)
    config = d.signins.slack
    if config is None:
        return _not_configured(request, "Slack")
    try:
        pending = await _callback_pending(request, "slack")
        user = await oauth_slack.identify(
            config, redirect_uri(request, "slack"), request.query.get("code", ""), pending
        )
    except SignInFailed as failure:
        return _failed(request, failure)
    except Exception:  # a platform's answer nobody foresaw: a page that says so, the details in the log
        log.exception("Sign in with Slack failed")
        return _failed(request, oauth.platform_error("Slack", "an unexpected answer"))
    if not await oauth_slack.is_admin(config, d.admins, user):
        return await refuse(request, user, via="slack")
    return await complete_signin(request, user, via="slack", next_path=pending.next_path)


# --- Discord ---------------------------------------------------------------------------------------


async def start_discord(request: web.Request) -> web.StreamResponse:
    config = deps(request).signins.discord
    if config is None:
        return _not_configured(request, "Discord")
    pending = await _start(request, "discord")
    raise web.HTTPFound(oauth_discord.authorization_url(config, redirect_uri(request, "discord"), pending))


async def discord_callback(request: web.Request) -> web.StreamResponse:
    d = deps(request)
    config = d.signins.discord
    if config is None:
        return _not_configured(request, "Discord")
    try:
        pending = await _callback_pending(request, "discord")
        identity = await oauth_discord.identify(
            config, d.admins, redirect_uri(request, "discord"), request.query.get("code", ""), pending
        )
    except SignInFailed as failure:
        return _failed(request, failure)
    except Exception:  # a platform's answer nobody foresaw: a page that says so, the details in the log
        log.exception("Sign in with Discord failed")
        return _failed(request, oauth.platform_error("Discord", "an unexpected answer"))
    if not oauth_discord.is_admin(d.admins, identity):
        return await refuse(request, identity.user, via="discord")
    return await complete_signin(request, identity.user, via="discord", next_path=pending.next_path)
