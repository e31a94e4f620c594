"""Sign in with Slack (OpenID Connect) for the fake Slack: the authorize page, `openid.connect.token`,
`openid.connect.userInfo` and the signing keys, after https://docs.slack.dev/authentication/sign-in-with-slack
and https://docs.slack.dev/reference/methods/openid.connect.token.

The fake "person" approves at once: the test says who with `sign_in_as(team, user)`; the authorize
page redirects back with `code` and `state`. Codes are single-use and expire; a PKCE challenge given
at authorize must be answered with its verifier. `nonce_override` issues an id_token with another
nonce than the one asked (a replayed or forged token, as a relying party would see it).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

JSON = dict[str, Any]
CODE_TTL = 10 * 60
TOKEN_TTL = 60 * 60
KEY_ID = "fake-slack-oidc-1"


@dataclass
class _Grant:
    team_id: str
    user_id: str
    name: str
    redirect_uri: str
    nonce: str | None
    challenge: str | None
    issued_at: float
    used: bool = False


class SlackOpenID:
    def __init__(
        self, *, client_id: str, client_secret: str, origin: Callable[[], str], epoch: Callable[[], float]
    ) -> None:
        self.client_id, self.client_secret = client_id, client_secret
        self._origin, self._epoch = origin, epoch
        self.person: tuple[str, str, str] | None = None  # (team, user, name) who approves
        self.nonce_override: str | None = None
        self.authorize_requests: list[dict[str, str]] = []
        self._grants: dict[str, _Grant] = {}
        self._tokens: dict[str, _Grant] = {}
        self._key: RSAKey | None = None

    def sign_in_as(self, team_id: str, user_id: str, name: str = "") -> None:
        self.person = (team_id, user_id, name or user_id)

    @property
    def key(self) -> RSAKey:
        if self._key is None:
            self._key = RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})
        return self._key

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/openid/connect/authorize", self._authorize)
        app.router.add_get("/openid/connect/keys", self._keys)

    # ---- the browser side

    async def _authorize(self, request: web.Request) -> web.Response:
        q = dict(request.query)
        self.authorize_requests.append(q)
        if q.get("client_id") != self.client_id:
            return web.Response(status=400, text="invalid_client_id")
        redirect = q.get("redirect_uri", "")
        if not redirect:
            return web.Response(status=400, text="bad_redirect_uri")
        if q.get("response_type") != "code" or "openid" not in q.get("scope", "").split():
            back = {"error": "invalid_scope", "state": q.get("state", "")}
            raise web.HTTPFound(f"{redirect}?{urlencode(back)}")
        if self.person is None:
            back = {"error": "access_denied", "state": q.get("state", "")}
            raise web.HTTPFound(f"{redirect}?{urlencode(back)}")
        if q.get("code_challenge") and q.get("code_challenge_method") != "S256":
            return web.Response(status=400, text="invalid_code_challenge_method")
        code = f"{secrets.token_hex(4)}.{secrets.token_hex(16)}"
        team, user, name = self.person
        self._grants[code] = _Grant(
            team, user, name, redirect, q.get("nonce"), q.get("code_challenge"), self._epoch()
        )
        raise web.HTTPFound(f"{redirect}?{urlencode({'code': code, 'state': q.get('state', '')})}")

    async def _keys(self, request: web.Request) -> web.Response:
        return web.json_response(KeySet([self.key]).as_dict(private=False))

    # ---- Web API methods (ok / error bodies with HTTP 200, as Slack answers)

    def token(self, params: JSON, basic_auth: tuple[str, str] | None) -> JSON:
        client_id, secret = params.get("client_id"), params.get("client_secret")
        if basic_auth is not None:
            client_id, secret = basic_auth
        if client_id != self.client_id:
            return _error("invalid_client_id")
        if secret != self.client_secret:
            return _error("bad_client_secret")
        grant = self._grants.get(str(params.get("code") or ""))
        if grant is None or self._epoch() - grant.issued_at > CODE_TTL:
            return _error("invalid_code")
        if grant.used:
            return _error("code_already_used")
        if params.get("redirect_uri") != grant.redirect_uri:
            return _error("bad_redirect_uri")
        if grant.challenge is not None:
            verifier = str(params.get("code_verifier") or "").encode()
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
            if digest != grant.challenge:
                return _error("invalid_code_verifier")
        grant.used = True
        access = f"xoxp-{grant.team_id}-{secrets.token_hex(12)}"
        self._tokens[access] = grant
        now = int(self._epoch())
        nonce = self.nonce_override if self.nonce_override is not None else grant.nonce
        claims: JSON = {
            "iss": self._origin(),
            "sub": grant.user_id,
            "aud": self.client_id,
            "exp": now + TOKEN_TTL,
            "iat": now,
            "auth_time": now,
            "https://slack.com/user_id": grant.user_id,
            "https://slack.com/team_id": grant.team_id,
            "name": grant.name,
        }
        if nonce is not None:
            claims["nonce"] = nonce
        id_token = jwt.encode({"alg": "RS256", "kid": KEY_ID}, claims, self.key)
        return {"ok": True, "access_token": access, "token_type": "Bearer", "id_token": id_token}

    def userinfo(self, token: str | None) -> JSON:
        if not token:
            return _error("not_authed")
        grant = self._tokens.get(token)
        if grant is None:
            return _error("invalid_auth")
        return {
            "ok": True,
            "sub": grant.user_id,
            "https://slack.com/user_id": grant.user_id,
            "https://slack.com/team_id": grant.team_id,
            "name": grant.name,
            "given_name": grant.name.split(" ")[0],
        }


def _error(error: str) -> JSON:
    return {"ok": False, "error": error}
