"""Sign in with Discord: the OAuth2 code flow with state and PKCE (S256), through Authlib.

authorize (`/oauth2/authorize`, scopes "identify guilds.members.read") → `/oauth2/token` →
`/users/@me` (who) → `/users/@me/guilds/<guild>/member` (their roles there).
https://discord.com/developers/docs/topics/oauth2

Admin when `discord:<user id>` is in PARTNERBOT_ADMIN_USERS, or holds a role of PARTNERBOT_ADMIN_GROUPS
(`discord:<role id>`) in a guild of the Discord admin channels (PARTNERBOT_ADMIN_CHANNELS): which guild
a channel is in is asked once with the bot token (`GET /channels/<id>`), then remembered.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

import httpx2
from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError

from adapters.web.oauth import Pending, platform_error
from bot.domain.refs import Platform, UserRef
from bot.settings import Admins

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://discord.com/api/v10"
SCOPE = "identify guilds.members.read"


@dataclass(frozen=True, slots=True)
class DiscordSignIn:
    client_id: str
    client_secret: str
    # PARTNERBOT_DISCORD_API_URL, with or without /api/v10 (as for the Discord adapter).
    api_url: str = DEFAULT_API_URL
    # DISCORD_TOKEN, to learn the guild of each admin channel; empty: admin roles are not checked.
    bot_token: str = ""
    timeout: float = 10.0
    # Admin channel id → its guild id, learned once per process.
    guild_of: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def api(self) -> str:
        base = (self.api_url or DEFAULT_API_URL).rstrip("/")
        return base if re.search(r"/api/v[0-9]+$", base) else base + "/api/v10"

    @property
    def authorize_url(self) -> str:
        return re.sub(r"/api/v[0-9]+$", "", self.api) + "/oauth2/authorize"


def _client(config: DiscordSignIn, redirect_uri: str) -> AsyncOAuth2Client:
    return AsyncOAuth2Client(
        client_id=config.client_id,
        client_secret=config.client_secret,
        scope=SCOPE,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
        timeout=config.timeout,
    )


def authorization_url(config: DiscordSignIn, redirect_uri: str, pending: Pending) -> str:
    """Where the browser goes to sign in with Discord (no network call)."""
    client = _client(config, redirect_uri)
    url, _ = client.create_authorization_url(
        config.authorize_url, state=pending.state, code_verifier=pending.verifier
    )
    return str(url)


@dataclass(frozen=True, slots=True)
class DiscordIdentity:
    user: UserRef
    roles: frozenset[str]  # the person's role ids in the admin channels' guilds


async def identify(
    config: DiscordSignIn, admins: Admins, redirect_uri: str, code: str, pending: Pending
) -> DiscordIdentity:
    """Who signed in, and their roles in the admin guilds. Raises SignInFailed on any refusal."""
    if not code:
        raise platform_error("Discord", "no code came back")
    async with _client(config, redirect_uri) as client:
        try:
            await client.fetch_token(config.api + "/oauth2/token", code=code, code_verifier=pending.verifier)
        except OAuthError as exc:
            log.warning("Sign in with Discord: /oauth2/token refused: %s", exc.error)
            raise platform_error("Discord", str(exc.error)) from None
        except (httpx2.HTTPError, ValueError) as exc:
            log.warning("Sign in with Discord: /oauth2/token failed: %r", exc)
            raise platform_error("Discord", "its sign-in service did not answer") from None
        me = await _get(client, config.api + "/users/@me", "who you are")
        user_id = str(me.get("id") or "")
        if not user_id:
            raise platform_error("Discord", "it did not say who you are")
        name = str(me.get("global_name") or me.get("username") or user_id)
        user = UserRef(Platform.DISCORD, "", user_id, name)
        roles: set[str] = set()
        if not admins.is_admin_user(user) and admins.groups_on(Platform.DISCORD):
            for guild in await _admin_guilds(config, admins):
                member = await _get(
                    client, f"{config.api}/users/@me/guilds/{guild}/member", "your roles", missing_ok=True
                )
                roles |= {str(r) for r in member.get("roles") or []}
    return DiscordIdentity(user, frozenset(roles))


def is_admin(admins: Admins, identity: DiscordIdentity) -> bool:
    return admins.is_admin_user(identity.user) or bool(
        identity.roles & set(admins.groups_on(Platform.DISCORD))
    )


async def _get(client: AsyncOAuth2Client, url: str, what: str, *, missing_ok: bool = False) -> dict[str, Any]:
    try:
        response = await client.get(url)
    except httpx2.HTTPError as exc:
        log.warning("Sign in with Discord: %s failed: %r", url, exc)
        raise platform_error("Discord", f"it did not tell {what}") from None
    if missing_ok and response.status_code == 404:  # not a member of that guild
        return {}
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code != 200 or not isinstance(body, dict):
        log.warning("Sign in with Discord: %s answered %d", url, response.status_code)
        raise platform_error("Discord", f"it did not tell {what}: HTTP {response.status_code}")
    return body


async def _admin_guilds(config: DiscordSignIn, admins: Admins) -> list[str]:
    """The guilds of the Discord admin channels (asked with the bot token, once per channel)."""
    channels = admins.channels_on(Platform.DISCORD)
    unknown = [c for c in channels if c not in config.guild_of]
    if unknown and not config.bot_token:
        log.warning("Sign in with Discord: DISCORD_TOKEN is not set; admin roles cannot be checked")
    elif unknown:
        async with httpx2.AsyncClient(
            timeout=config.timeout, headers={"Authorization": f"Bot {config.bot_token}"}
        ) as http:
            for channel in unknown:
                try:
                    response = await http.get(f"{config.api}/channels/{channel}")
                    guild = str(response.json().get("guild_id") or "") if response.status_code == 200 else ""
                except (httpx2.HTTPError, ValueError, AttributeError) as exc:
                    log.warning("cannot read Discord channel %s: %r", channel, exc)
                    continue
                if guild:
                    config.guild_of[channel] = guild
                else:
                    log.warning("cannot read Discord channel %s: HTTP %d", channel, response.status_code)
    return sorted({config.guild_of[c] for c in channels if c in config.guild_of})
