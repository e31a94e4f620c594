"""OAuth2 for the fake Discord (https://discord.com/developers/docs/topics/oauth2): the authorize page,
the token endpoint (authorization code with PKCE), and what a user's Bearer token may read:
`GET /users/@me` (`identify`) and `GET /users/@me/guilds/{guild}/member` (`guilds.members.read`).

The fake "person" approves at once: the test says who with `sign_in_as(user_id)`; the authorize page
redirects back with `code` and `state`. Codes are single-use and expire; a PKCE challenge must be
answered with its verifier; `fail_token_next(status)` makes the token endpoint fail.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from aiohttp import web

if TYPE_CHECKING:
    from .discord_rest import DiscordState

CODE_TTL = 10 * 60
TOKEN_TTL = 7 * 24 * 3600


@dataclass
class _Grant:
    user_id: int
    scopes: frozenset[str]
    redirect_uri: str
    challenge: str | None
    issued_at: float
    used: bool = False


class DiscordOAuth:
    def __init__(
        self,
        state: DiscordState,
        *,
        api_prefix: str,
        clock: Callable[[], float],
        client_id: str = "1122334455667788",
        client_secret: str = "fake-discord-client-secret",
    ) -> None:
        self.state, self.api_prefix, self.clock = state, api_prefix, clock
        self.client_id, self.client_secret = client_id, client_secret
        self.person: int | None = None  # the user id who approves
        self.authorize_requests: list[dict[str, str]] = []
        self.token_failures: list[int] = []
        self._grants: dict[str, _Grant] = {}
        self._tokens: dict[str, _Grant] = {}

    def sign_in_as(self, user_id: int) -> None:
        self.person = user_id

    def fail_token_next(self, status: int = 500) -> None:
        self.token_failures.append(status)

    def user_for(self, authorization: str | None) -> int | None:
        """The user of a `Bearer` token (None: not one of ours)."""
        if not authorization or not authorization.startswith("Bearer "):
            return None
        grant = self._tokens.get(authorization.removeprefix("Bearer ").strip())
        return grant.user_id if grant is not None else None

    def add_routes(self, app: web.Application) -> None:
        """Before the REST routes: their catch-all would answer these with 404."""
        app.router.add_get("/oauth2/authorize", self._authorize)
        app.router.add_post(self.api_prefix + "/oauth2/token", self._token)
        app.router.add_get(self.api_prefix + "/users/@me/guilds/{guild_id}/member", self._my_member)

    async def _authorize(self, request: web.Request) -> web.Response:
        q = dict(request.query)
        self.authorize_requests.append(q)
        if q.get("client_id") != self.client_id:
            return web.Response(status=400, text="Unknown application")
        redirect = q.get("redirect_uri", "")
        if not redirect:
            return web.Response(status=400, text="Invalid OAuth2 redirect_uri")
        if q.get("code_challenge") and q.get("code_challenge_method") != "S256":
            return web.Response(status=400, text="Invalid code_challenge_method")
        if self.person is None:
            back = {"error": "access_denied", "state": q.get("state", "")}
            raise web.HTTPFound(f"{redirect}?{urlencode(back)}")
        code = secrets.token_urlsafe(22)
        scopes = frozenset(q.get("scope", "").split())
        self._grants[code] = _Grant(self.person, scopes, redirect, q.get("code_challenge"), self.clock())
        raise web.HTTPFound(f"{redirect}?{urlencode({'code': code, 'state': q.get('state', '')})}")

    async def _token(self, request: web.Request) -> web.Response:
        if self.token_failures:
            status = self.token_failures.pop(0)
            return web.json_response({"message": f"{status}: Server Error", "code": 0}, status=status)
        form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if (basic := _basic_auth(request)) is not None:
            client_id, secret = basic
        if client_id != self.client_id or secret != self.client_secret:
            return _oauth_error("invalid_client", status=401)
        if form.get("grant_type") != "authorization_code":
            return _oauth_error("unsupported_grant_type")
        grant = self._grants.get(form.get("code", ""))
        if grant is None or grant.used or self.clock() - grant.issued_at > CODE_TTL:
            return _oauth_error("invalid_grant", 'Invalid "code" in request.')
        if form.get("redirect_uri") != grant.redirect_uri:
            return _oauth_error("invalid_grant", 'Invalid "redirect_uri" in request.')
        if grant.challenge is not None:
            verifier = form.get("code_verifier", "").encode()
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
            if digest != grant.challenge:
                return _oauth_error("invalid_grant", 'Invalid "code_verifier" in request.')
        grant.used = True
        access = secrets.token_urlsafe(22)
        self._tokens[access] = grant
        body = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": TOKEN_TTL,
            "refresh_token": secrets.token_urlsafe(22),
            "scope": " ".join(sorted(grant.scopes)),
        }
        return web.json_response(body)

    async def _my_member(self, request: web.Request) -> web.Response:
        grant = self._tokens.get(request.headers.get("Authorization", "").removeprefix("Bearer ").strip())
        if grant is None:
            return web.json_response({"message": "401: Unauthorized", "code": 0}, status=401)
        if "guilds.members.read" not in grant.scopes:
            return web.json_response({"message": "Missing Access", "code": 50001}, status=403)
        guild = self.state.guilds.get(int(request.match_info["guild_id"]))
        member = guild.members.get(grant.user_id) if guild is not None else None
        if member is None:  # not in that guild (Discord does not tell a missing guild apart)
            return web.json_response({"message": "Unknown Guild", "code": 10004}, status=404)
        return web.Response(body=json.dumps(member.to_payload()).encode(), content_type="application/json")

    def current_user(self, user_id: int) -> dict[str, Any]:
        user = self.state.users[user_id]
        return user.to_payload() | {"global_name": user.username.title(), "mfa_enabled": False, "flags": 0}


def _oauth_error(error: str, description: str = "", *, status: int = 400) -> web.Response:
    body = {"error": error} | ({"error_description": description} if description else {})
    return web.json_response(body, status=status)


def _basic_auth(request: web.Request) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return None
    try:
        login, _, password = base64.b64decode(header.removeprefix("Basic ")).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return login, password
