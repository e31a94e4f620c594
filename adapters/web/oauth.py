"""What the platform sign-ins (Slack OpenID Connect, Discord OAuth2) share: the sign-in in progress,
kept in the (encrypted) session cookie between the start and the callback, and the error a failed
sign-in ends with.

The flow of each is in adapters/web/oauth_slack.py and adapters/web/oauth_discord.py, through Authlib;
the routes in adapters/web/pages/signin_platforms.py.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from aiohttp import web
from aiohttp_session import get_session

# How long someone may spend on the platform's consent page before the callback is refused.
PENDING_SECONDS = 10 * 60
_PENDING = "oauth_pending"


class SignInFailed(Exception):
    """A sign-in that cannot go on; `message` is what the person reads (no traceback, no secret)."""

    def __init__(self, title: str, message: str) -> None:
        super().__init__(title)
        self.title = title
        self.message = message


@dataclass(frozen=True, slots=True)
class Pending:
    """One sign-in in progress: what the callback must match (state) and prove (PKCE verifier, nonce)."""

    via: str  # "slack" or "discord"
    state: str
    verifier: str
    nonce: str
    next_path: str
    started: float  # epoch seconds


def new_pending(via: str, *, next_path: str, now: float) -> Pending:
    return Pending(
        via=via,
        state=secrets.token_urlsafe(24),
        # RFC 7636: 43 to 128 characters of [A-Za-z0-9-._~]; 48 random bytes make 64.
        verifier=secrets.token_urlsafe(48),
        nonce=secrets.token_urlsafe(24),
        next_path=next_path,
        started=now,
    )


async def remember(request: web.Request, pending: Pending) -> None:
    """Keep the sign-in in progress in the session cookie (one at a time: a new start replaces it)."""
    session = await get_session(request)
    session[_PENDING] = {
        "via": pending.via,
        "state": pending.state,
        "verifier": pending.verifier,
        "nonce": pending.nonce,
        "next": pending.next_path,
        "started": pending.started,
    }


async def take(request: web.Request, via: str, *, state: str, now: float) -> Pending:
    """The sign-in in progress that this callback finishes, removed from the session (so a callback
    replayed later finds none). Raises SignInFailed when there is none, or the state does not match."""
    session = await get_session(request)
    raw = session.pop(_PENDING, None)
    try:
        pending = Pending(
            via=str(raw["via"]),
            state=str(raw["state"]),
            verifier=str(raw["verifier"]),
            nonce=str(raw["nonce"]),
            next_path=str(raw["next"]),
            started=float(raw["started"]),
        )
    except (TypeError, KeyError, ValueError):
        raise SignInFailed(
            "This sign-in did not start here",
            "The answer from the platform does not belong to a sign-in this browser started (or it "
            "was used already). Go back to the sign-in page and choose the button again.",
        ) from None
    if pending.via != via or not state or not hmac.compare_digest(pending.state, state):
        raise SignInFailed(
            "This sign-in did not start here",
            "The answer from the platform does not match the sign-in this browser started. Go back "
            "to the sign-in page and choose the button again.",
        )
    if now - pending.started > PENDING_SECONDS:
        raise SignInFailed(
            "This sign-in took too long",
            "More than 10 minutes passed between choosing the button and coming back. Go back to "
            "the sign-in page and choose the button again.",
        )
    return pending


def platform_error(platform: str, detail: str) -> SignInFailed:
    """The platform refused or failed (the reason goes to the log, not to the page)."""
    return SignInFailed(
        f"{platform} did not confirm who you are",
        f"{platform} did not complete the sign-in ({detail}). Nothing was signed in. Try again in a "
        "moment, or sign in with a one-time link: say `dashboard` in the admin channel, or run "
        "`partnerbot dashboard link`.",
    )
