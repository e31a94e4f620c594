"""The fakes' sign-in endpoints refuse what Slack and Discord refuse: a wrong PKCE verifier, another
redirect URI, a wrong client secret, an expired or reused code, an unknown token."""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import aiohttp

from tests.fakes.discord import FakeDiscord
from tests.fakes.slack import FakeSlack, ManualClock

REDIRECT = "http://127.0.0.1:1/dashboard/signin/x/callback"
VERIFIER = "v" * 50


def challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


async def code_from(http: aiohttp.ClientSession, url: str, **query: str) -> str:
    async with http.get(f"{url}?{urlencode(query)}", allow_redirects=False) as response:
        assert response.status == 302, await response.text()
        location = response.headers["Location"]
    assert location.startswith(REDIRECT)
    params = parse_qs(urlsplit(location).query)
    assert params["state"] == ["s1"]
    return params["code"][0]


async def test_fake_slack_openid_connect_checks_what_slack_checks() -> None:
    clock = ManualClock()
    async with FakeSlack(clock=clock) as slack, aiohttp.ClientSession() as http:
        slack.openid.sign_in_as("T1", "U1", "Una")
        authorize = f"{slack.origin}/openid/connect/authorize"
        ask = {
            "client_id": slack.client_id,
            "response_type": "code",
            "scope": "openid profile",
            "redirect_uri": REDIRECT,
            "state": "s1",
            "nonce": "n1",
            "code_challenge": challenge(VERIFIER),
            "code_challenge_method": "S256",
        }

        async def token(**form: str) -> dict[str, Any]:
            body = {"client_id": slack.client_id, "client_secret": slack.client_secret} | form
            async with http.post(slack.base_url + "openid.connect.token", data=body) as response:
                assert response.status == 200
                result: dict[str, Any] = await response.json()
                return result

        code = await code_from(http, authorize, **ask)
        assert (await token(code=code, redirect_uri=REDIRECT, code_verifier="w" * 50))["error"] == (
            "invalid_code_verifier"
        )
        assert (await token(code=code, redirect_uri=REDIRECT + "x", code_verifier=VERIFIER))["error"] == (
            "bad_redirect_uri"
        )
        assert (await token(code=code, client_secret="nope", redirect_uri=REDIRECT))["error"] == (
            "bad_client_secret"
        )
        good = await token(code=code, redirect_uri=REDIRECT, code_verifier=VERIFIER)
        assert good["ok"] and good["token_type"] == "Bearer" and good["id_token"].count(".") == 2
        again = await token(code=code, redirect_uri=REDIRECT, code_verifier=VERIFIER)
        assert again["error"] == "code_already_used"

        late = await code_from(http, authorize, **ask)
        clock.advance(11 * 60)
        assert (await token(code=late, redirect_uri=REDIRECT, code_verifier=VERIFIER))["error"] == (
            "invalid_code"
        )

        info_url = slack.base_url + "openid.connect.userInfo"
        headers = {"Authorization": f"Bearer {good['access_token']}"}
        async with http.post(info_url, headers=headers) as response:
            info = await response.json()
        assert info["ok"] and info["sub"] == "U1" and info["https://slack.com/team_id"] == "T1"
        async with http.post(info_url, headers={"Authorization": "Bearer xoxp-unknown"}) as response:
            assert (await response.json())["error"] == "invalid_auth"
        async with http.get(f"{slack.origin}/openid/connect/keys") as response:
            keys = await response.json()
        assert keys["keys"][0]["kty"] == "RSA" and "d" not in keys["keys"][0]


async def test_fake_discord_oauth_checks_what_discord_checks() -> None:
    async with FakeDiscord() as discord, aiohttp.ClientSession() as http:
        guild = discord.add_guild("G")
        other = discord.add_guild("Other")
        member = discord.add_member(guild.id, "mia", roles=[]).user
        discord.oauth.sign_in_as(member.id)
        ask = {
            "client_id": discord.oauth.client_id,
            "response_type": "code",
            "scope": "identify guilds.members.read",
            "redirect_uri": REDIRECT,
            "state": "s1",
            "code_challenge": challenge(VERIFIER),
            "code_challenge_method": "S256",
        }
        token_url = discord.api_base + "/oauth2/token"
        auth = aiohttp.BasicAuth(discord.oauth.client_id, discord.oauth.client_secret)

        async def token(code: str, **form: str) -> tuple[int, dict[str, Any]]:
            body = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT} | form
            async with http.post(token_url, data=body, auth=auth) as response:
                return response.status, await response.json()

        code = await code_from(http, f"{discord.base_url}/oauth2/authorize", **ask)
        assert await token(code, code_verifier="w" * 50) == (
            400,
            {"error": "invalid_grant", "error_description": 'Invalid "code_verifier" in request.'},
        )
        async with http.post(token_url, data={"grant_type": "authorization_code", "code": code}) as response:
            assert response.status == 401  # no client credentials
        status, good = await token(code, code_verifier=VERIFIER)
        assert status == 200 and good["token_type"] == "Bearer"
        assert (await token(code, code_verifier=VERIFIER))[1]["error"] == "invalid_grant"  # used once

        bearer = {"Authorization": f"Bearer {good['access_token']}"}
        async with http.get(discord.api_base + "/users/@me", headers=bearer) as response:
            assert (await response.json())["id"] == str(member.id)
        async with http.get(discord.api_base + "/users/@me", headers={"Authorization": "Bearer x"}) as r:
            assert r.status == 401
        mine = f"{discord.api_base}/users/@me/guilds/{guild.id}/member"
        async with http.get(mine, headers=bearer) as response:
            assert response.status == 200 and (await response.json())["user"]["id"] == str(member.id)
        async with http.get(f"{discord.api_base}/users/@me/guilds/{other.id}/member", headers=bearer) as r:
            assert r.status == 404
        # The bot's own token still reads the bot.
        async with http.get(
            discord.api_base + "/users/@me", headers={"Authorization": f"Bot {discord.token}"}
        ) as response:
            assert (await response.json())["id"] == str(discord.bot.id)
