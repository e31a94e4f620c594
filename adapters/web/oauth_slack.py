"""Sign in with Slack: OpenID Connect through Authlib.

authorize (`/openid/connect/authorize`, scope "openid profile", state + nonce + PKCE S256) →
`openid.connect.token` (the code, the PKCE verifier, the app's client id and secret) → the id_token
verified (Slack's signing keys, issuer, audience, expiry, and the nonce this browser was given) →
`openid.connect.userInfo` for the person's name. https://docs.slack.dev/authentication/sign-in-with-slack

Admin when `slack:<user>` is in PARTNERBOT_ADMIN_USERS, or a member of a Slack user group in
PARTNERBOT_ADMIN_GROUPS (`usergroups.users.list` with the workspace's bot token, the same call the
Slack adapter makes for chat commands; the token comes from the root, `bot_token`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx2
from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from adapters.web.oauth import Pending, SignInFailed, platform_error
from bot.domain.refs import Platform, UserRef
from bot.settings import Admins

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
SCOPE = "openid profile"
_LEEWAY_SECONDS = 60


@dataclass(frozen=True, slots=True)
class SlackSignIn:
    client_id: str
    client_secret: str
    # PARTNERBOT_SLACK_API_URL (a proxy, GovSlack, the test fake); the sign-in pages and keys live on
    # the same host, without /api/.
    api_url: str = DEFAULT_API_URL
    # The bot token of a workspace (team id → token, None if not installed there), for the admin
    # user-group check; None: user groups are not checked.
    bot_token: Callable[[str], Awaitable[str | None]] | None = None
    timeout: float = 10.0

    @property
    def api(self) -> str:
        return (self.api_url or DEFAULT_API_URL).rstrip("/") + "/"

    @property
    def origin(self) -> str:
        """https://slack.com for the default API address: the issuer and the pages' host."""
        return re.sub(r"/api/?$", "", self.api.rstrip("/"))

    @property
    def authorize_url(self) -> str:
        return f"{self.origin}/openid/connect/authorize"

    @property
    def keys_url(self) -> str:
        return f"{self.origin}/openid/connect/keys"


def _client(config: SlackSignIn, redirect_uri: str) -> AsyncOAuth2Client:
    return AsyncOAuth2Client(
        client_id=config.client_id,
        client_secret=config.client_secret,
        scope=SCOPE,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_post",
        timeout=config.timeout,
    )


def authorization_url(config: SlackSignIn, redirect_uri: str, pending: Pending) -> str:
    """Where the browser goes to sign in with Slack (no network call)."""
    client = _client(config, redirect_uri)
    url, _ = client.create_authorization_url(
        config.authorize_url, state=pending.state, code_verifier=pending.verifier, nonce=pending.nonce
    )
    return str(url)


async def identify(config: SlackSignIn, redirect_uri: str, code: str, pending: Pending) -> UserRef:
    """Who signed in: the code exchanged, the id_token verified, the name from userInfo.
    Raises SignInFailed (a friendly page) on any refusal or failure of Slack's."""
    if not code:
        raise platform_error("Slack", "no code came back")
    async with _client(config, redirect_uri) as client:
        try:
            token = await client.fetch_token(
                config.api + "openid.connect.token", code=code, code_verifier=pending.verifier
            )
        except OAuthError as exc:  # Slack's `ok: false` (and any HTTP error with an error body)
            log.warning("Sign in with Slack: openid.connect.token refused: %s", exc.error)
            raise platform_error("Slack", str(exc.error)) from None
        except (httpx2.HTTPError, ValueError) as exc:
            log.warning("Sign in with Slack: openid.connect.token failed: %r", exc)
            raise platform_error("Slack", "its sign-in service did not answer") from None
        claims = await _verified_claims(config, client, str(token.get("id_token") or ""), pending)
        info = await _userinfo(config, client)
    user = str(claims.get("https://slack.com/user_id") or claims.get("sub") or "")
    team = str(claims.get("https://slack.com/team_id") or "")
    if not user or str(info.get("sub") or user) != str(claims.get("sub")):
        log.warning("Sign in with Slack: userInfo names someone else than the id_token")
        raise platform_error("Slack", "it named two different people")
    name = str(info.get("name") or claims.get("name") or info.get("given_name") or "")
    return UserRef(Platform.SLACK, team, user, name)


async def _verified_claims(
    config: SlackSignIn, client: AsyncOAuth2Client, id_token: str, pending: Pending
) -> dict[str, Any]:
    if not id_token:
        raise platform_error("Slack", "no id_token came back")
    try:
        response = await client.request("GET", config.keys_url, withhold_token=True)
        response.raise_for_status()
        keys = KeySet.import_key_set(response.json())
    except (httpx2.HTTPError, ValueError, JoseError) as exc:
        log.warning("Sign in with Slack: cannot read Slack's signing keys: %r", exc)
        raise platform_error("Slack", "its signing keys could not be read") from None
    try:
        decoded = jwt.decode(id_token, keys, algorithms=["RS256"])
        jwt.JWTClaimsRegistry(
            leeway=_LEEWAY_SECONDS,
            iss={"essential": True, "value": config.origin},
            aud={"essential": True, "value": config.client_id},
            exp={"essential": True},
            sub={"essential": True},
            nonce={"essential": True, "value": pending.nonce},
        ).validate(decoded.claims)
    except (JoseError, ValueError) as exc:
        log.warning("Sign in with Slack: id_token refused: %r", exc)
        raise SignInFailed(
            "Slack's answer could not be verified",
            "The sign-in came back with an identity that was not issued for this sign-in (its "
            "signature, audience, expiry or nonce did not match). Nothing was signed in. Go back to "
            "the sign-in page and try again.",
        ) from None
    return dict(decoded.claims)


async def _userinfo(config: SlackSignIn, client: AsyncOAuth2Client) -> dict[str, Any]:
    try:
        response = await client.post(config.api + "openid.connect.userInfo")
        body = response.json()
    except (httpx2.HTTPError, ValueError) as exc:
        log.warning("Sign in with Slack: openid.connect.userInfo failed: %r", exc)
        raise platform_error("Slack", "its profile service did not answer") from None
    if not isinstance(body, dict) or not body.get("ok"):
        error = body.get("error") if isinstance(body, dict) else None
        log.warning("Sign in with Slack: openid.connect.userInfo refused: %s", error)
        raise platform_error("Slack", str(error or f"HTTP {response.status_code}"))
    return body


async def is_admin(config: SlackSignIn, admins: Admins, user: UserRef) -> bool:
    """`slack:<user>` in PARTNERBOT_ADMIN_USERS, or in one of the admin user groups."""
    if admins.is_admin_user(user):
        return True
    groups = admins.groups_on(Platform.SLACK)
    if not groups or config.bot_token is None:
        return False
    token = await config.bot_token(user.workspace)
    if not token:
        log.warning("Sign in with Slack: no bot token for workspace %s to read admin groups", user.workspace)
        return False
    async with httpx2.AsyncClient(
        timeout=config.timeout, headers={"Authorization": f"Bearer {token}"}
    ) as http:
        for group in groups:
            try:
                body = (
                    await http.post(config.api + "usergroups.users.list", data={"usergroup": group})
                ).json()
            except (httpx2.HTTPError, ValueError) as exc:
                log.warning("cannot read Slack user group %s: %r", group, exc)
                continue
            if not body.get("ok"):
                log.warning("cannot read Slack user group %s: %s", group, body.get("error"))
                continue
            if user.user in {str(u) for u in body.get("users") or []}:
                return True
    return False
