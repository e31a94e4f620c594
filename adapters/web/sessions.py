"""Dashboard sessions: an encrypted, signed cookie (aiohttp-session with Fernet), HttpOnly and
SameSite=Lax, that expires both in the browser (Max-Age) and on the server (`expires` inside it, on
the injected clock, so a copied cookie stops working too). It holds who signed in, how, until when,
and the CSRF token."""

from __future__ import annotations

import base64
import hmac
import secrets
from dataclasses import dataclass

from aiohttp import web
from aiohttp_session import Session, get_session, new_session
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from cryptography.fernet import Fernet

from bot.domain.refs import Platform, UserRef

COOKIE_NAME = "partnerbot_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True, slots=True)
class SignedIn:
    admin: UserRef
    via: str  # "link", "slack" or "discord"
    expires: float  # epoch seconds
    csrf: str


def storage(key: bytes, *, max_age: int, secure: bool, path: str) -> EncryptedCookieStorage:
    return EncryptedCookieStorage(
        Fernet(base64.urlsafe_b64encode(key)),
        cookie_name=COOKIE_NAME,
        max_age=max_age,
        httponly=True,
        samesite="Lax",
        secure=secure,
        path=path,
    )


async def start(request: web.Request, admin: UserRef, *, via: str, now: float, seconds: float) -> SignedIn:
    """A new session for `admin` (a fresh cookie, so a session id fixed before sign-in is dropped)."""
    session = await new_session(request)
    signed = SignedIn(admin=admin, via=via, expires=now + seconds, csrf=secrets.token_urlsafe(24))
    session.update(
        {
            "platform": admin.platform.value,
            "workspace": admin.workspace,
            "user": admin.user,
            "name": admin.display_name,
            "via": via,
            "expires": signed.expires,
            "csrf": signed.csrf,
        }
    )
    return signed


async def current(request: web.Request, *, now: float) -> tuple[SignedIn | None, bool]:
    """Who is signed in (None if nobody), and whether a session existed but has expired."""
    session = await get_session(request)
    if "user" not in session:
        return None, False
    signed = _read(session)
    if signed is None or signed.expires <= now:
        session.invalidate()
        return None, True
    return signed, False


async def end(request: web.Request) -> None:
    (await get_session(request)).invalidate()


def csrf_ok(signed: SignedIn, presented: str | None) -> bool:
    return bool(presented) and hmac.compare_digest(signed.csrf, presented or "")


def _read(session: Session) -> SignedIn | None:
    try:
        admin = UserRef(
            Platform(str(session["platform"])),
            str(session.get("workspace", "")),
            str(session["user"]),
            str(session.get("name", "")),
        )
        return SignedIn(
            admin=admin, via=str(session["via"]), expires=float(session["expires"]), csrf=str(session["csrf"])
        )
    except (KeyError, ValueError, TypeError):
        return None
