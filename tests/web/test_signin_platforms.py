"""Sign in with Slack (OpenID Connect) and with Discord (OAuth2), end to end over loopback: the
dashboard, a browser with a cookie jar, and the fake Slack / Discord (tests/fakes) whose "person"
approves at once (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from adapters.web.app import mount
from bot.app import dashboard_app
from tests.fakes.discord import FakeDiscord
from tests.fakes.slack import FakeSlack
from tests.harness import Harness
from tests.web.support import Dashboard, close_dashboard

TEAM = "T0ACME"


@dataclass
class World:
    """The fakes and who is who in them."""

    slack: FakeSlack
    discord: FakeDiscord
    slack_admin: str  # in PARTNERBOT_ADMIN_USERS
    slack_group_admin: str  # in an admin user group
    slack_stranger: str
    discord_admin: int  # in PARTNERBOT_ADMIN_USERS
    discord_role_admin: int  # holds the admin role in the admin channel's guild
    discord_stranger: int  # in that guild without the role
    overrides: dict[str, Any]


@pytest.fixture
async def world() -> AsyncIterator[World]:
    async with FakeSlack() as slack, FakeDiscord() as discord:
        ws = slack.add_workspace(TEAM)
        admin = slack.add_user(TEAM, "Sam Admin").id
        grouped = slack.add_user(TEAM, "Gia Group").id
        stranger = slack.add_user(TEAM, "Sid Stranger").id
        group = slack.add_usergroup(TEAM, [grouped])
        guild = discord.add_guild("Vendor")
        admin_channel = discord.add_channel(guild.id, "partner-admin")
        role = discord.add_role(guild.id, "partnerbot admins")
        d_admin = discord.add_member(guild.id, "dana").user.id
        d_role = discord.add_member(guild.id, "rory", roles=[role.id]).user.id
        d_stranger = discord.add_member(guild.id, "stan").user.id
        overrides: dict[str, Any] = {
            "dashboard_slack_signin": True,
            "slack_client_id": slack.client_id,
            "slack_client_secret": slack.client_secret,
            "slack_api_url": slack.base_url,
            "slack_bot_token": ws.bot_token,
            "discord_client_id": discord.oauth.client_id,
            "discord_client_secret": discord.oauth.client_secret,
            "discord_api_url": discord.base_url,
            "discord_token": discord.token,
            "admin_users": ("local:alice", f"slack:{admin}", f"discord:{d_admin}"),
            "admin_groups": (f"slack:{group}", f"discord:{role.id}"),
            "admin_channels": ("local:admin", f"discord:{admin_channel.id}"),
        }
        yield World(slack, discord, admin, grouped, stranger, d_admin, d_role, d_stranger, overrides)


async def open_with(harness: Harness, **overrides: Any) -> Dashboard:
    """The dashboard of `harness` with other settings (the sign-in methods), on loopback."""
    settings = harness.app.settings.model_copy(update=overrides)
    app = dataclasses.replace(harness.app, settings=settings)
    root = web.Application()
    mount(root, dashboard_app(app))
    server = TestServer(root, host="127.0.0.1")
    await server.start_server()
    http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    return Dashboard(harness, server, http)


@pytest.fixture
async def signin(harness: Harness, world: World) -> AsyncIterator[Dashboard]:
    d = await open_with(harness, **world.overrides)
    yield d
    await close_dashboard(d)


async def _raw(d: Dashboard, url: str) -> tuple[int, str, str]:
    """(status, Location, body) of one request, redirects not followed."""
    async with d.http.get(url, allow_redirects=False) as response:
        return response.status, response.headers.get("Location", ""), await response.text()


async def to_platform(d: Dashboard, via: str, next_path: str = "") -> str:
    """Press the button: the address of the platform's authorize page."""
    query = f"?{urlencode({'next': next_path})}" if next_path else ""
    status, location = await d.get(f"/signin/{via}{query}")
    assert status == 302, (status, location)
    return location


async def approve(d: Dashboard, authorize: str) -> str:
    """The platform's person approves: the callback address it sends the browser back to."""
    status, location, body = await _raw(d, authorize)
    assert status == 302, (status, body)
    return location


async def back(d: Dashboard, callback: str) -> tuple[int, str]:
    """The browser comes back to the dashboard: (status, Location or page)."""
    status, location, body = await _raw(d, callback)
    return status, location if 300 <= status < 400 else body


async def sign_in_with(d: Dashboard, via: str, next_path: str = "") -> tuple[int, str]:
    return await back(d, await approve(d, await to_platform(d, via, next_path)))


def with_query(url: str, **changes: str | None) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return parts._replace(query=urlencode(query)).geturl()


async def signed_in(d: Dashboard) -> bool:
    return (await d.get("/audit"))[0] == 200


async def refused_in_audit(harness: Harness) -> list[str]:
    """The refused sign-ins in the audit log, as an admin with a one-time link sees them."""
    viewer = await open_with(harness)
    try:
        await viewer.sign_in()
        status, body = await viewer.get("/audit.csv?action=dashboard-sign-in&refused=1")
        assert status == 200
        return [line for line in body.splitlines()[1:] if line]
    finally:
        await close_dashboard(viewer)


# --- the sign-in page --------------------------------------------------------------------------------


async def test_the_sign_in_page_shows_each_platform_button_only_when_configured(
    harness: Harness, world: World
) -> None:
    plain = await open_with(harness)
    try:
        status, text = await plain.get("/signin")
        assert status == 200
        assert "Sign in with Slack" not in text and "Sign in with Discord" not in text
        status, text = await plain.get("/signin/slack")
        assert status == 404
        assert "Sign in with Slack is not set up" in text and "partnerbot dashboard link" in text
        assert (await plain.get("/signin/discord/callback?code=x&state=y"))[0] == 404
    finally:
        await close_dashboard(plain)

    discord_only = {k: v for k, v in world.overrides.items() if k != "dashboard_slack_signin"}
    only = await open_with(harness, **discord_only)
    try:
        text = (await only.get("/signin?next=/dashboard/audit"))[1]
        assert "Sign in with Discord" in text and "Sign in with Slack" not in text
        assert 'href="/dashboard/signin/discord?next=%2Fdashboard%2Faudit"' in text
    finally:
        await close_dashboard(only)


async def test_slack_sign_in_needs_the_apps_credentials(harness: Harness) -> None:
    with pytest.raises(ValueError, match="needs SLACK_CLIENT_ID and SLACK_CLIENT_SECRET"):
        await open_with(harness, dashboard_slack_signin=True)


# --- Sign in with Slack ----------------------------------------------------------------------------


async def test_a_slack_admin_signs_in_with_openid_connect(signin: Dashboard, world: World) -> None:
    world.slack.openid.sign_in_as(TEAM, world.slack_admin, "Sam Admin")
    authorize = await to_platform(signin, "slack", "/dashboard/audit?action=dashboard-sign-in")
    assert authorize.startswith(f"{world.slack.origin}/openid/connect/authorize?")
    status, location = await back(signin, await approve(signin, authorize))
    assert (status, location) == (302, "/dashboard/audit?action=dashboard-sign-in")

    asked = world.slack.openid.authorize_requests[-1]
    assert asked["scope"] == "openid profile" and asked["response_type"] == "code"
    assert asked["state"] and asked["nonce"] and asked["code_challenge_method"] == "S256"
    assert asked["redirect_uri"] == str(signin.server.make_url("/dashboard/signin/slack/callback"))
    status, text = await signin.get("/audit?action=dashboard-sign-in")
    assert status == 200
    assert "via slack" in text and "Sam Admin" in text


async def test_a_member_of_an_admin_user_group_signs_in_with_slack(signin: Dashboard, world: World) -> None:
    world.slack.openid.sign_in_as(TEAM, world.slack_group_admin, "Gia Group")
    status, location = await sign_in_with(signin, "slack")
    assert (status, location) == (302, "/dashboard/")
    assert await signed_in(signin)
    assert world.slack.calls["usergroups.users.list"] == 1


async def test_a_slack_user_who_is_not_an_admin_gets_a_403_and_it_is_audited(
    signin: Dashboard, world: World, harness: Harness
) -> None:
    world.slack.openid.sign_in_as(TEAM, world.slack_stranger, "Sid Stranger")
    status, text = await sign_in_with(signin, "slack")
    assert status == 403
    assert "You are not a partnerbot admin" in text and "Sid Stranger (slack)" in text
    assert not await signed_in(signin)
    refused = await refused_in_audit(harness)
    assert len(refused) == 1
    assert world.slack_stranger in refused[0] and "via slack: not an admin" in refused[0]


async def test_a_refused_platform_sign_in_ends_the_session_open_in_that_browser(
    signin: Dashboard, world: World
) -> None:
    await signin.sign_in()  # an admin's one-time link, earlier, in the same browser
    world.slack.openid.sign_in_as(TEAM, world.slack_stranger, "Sid Stranger")
    status, _ = await sign_in_with(signin, "slack")
    assert status == 403
    assert not await signed_in(signin)


async def test_a_slack_callback_with_a_wrong_or_missing_state_is_refused(
    signin: Dashboard, world: World
) -> None:
    world.slack.openid.sign_in_as(TEAM, world.slack_admin)
    callback = await approve(signin, await to_platform(signin, "slack"))
    status, text = await back(signin, with_query(callback, state="forged"))
    assert status == 400
    assert "This sign-in did not start here" in text
    # The sign-in in progress is used up by the attempt: the right state no longer helps either.
    assert (await back(signin, callback))[0] == 400

    callback = await approve(signin, await to_platform(signin, "slack"))
    status, text = await back(signin, with_query(callback, state=None))
    assert status == 400
    assert "This sign-in did not start here" in text
    assert not await signed_in(signin)
    assert world.slack.calls["openid.connect.token"] == 0  # refused before asking Slack


async def test_a_slack_code_is_used_once(signin: Dashboard, world: World) -> None:
    world.slack.openid.sign_in_as(TEAM, world.slack_admin)
    callback = await approve(signin, await to_platform(signin, "slack"))
    assert (await back(signin, callback))[0] == 302
    assert await signed_in(signin)  # (and the page carries the CSRF token for signing out)
    assert (await signin.post("/signout"))[0] == 200

    # The same answer again: the browser has no sign-in in progress for it.
    status, text = await back(signin, callback)
    assert status == 400 and "did not start here" in text
    # The old code under a new sign-in's state: Slack refuses it.
    fresh = await approve(signin, await to_platform(signin, "slack"))
    replayed = with_query(callback, state=parse_qs(urlsplit(fresh).query)["state"][0])
    status, text = await back(signin, replayed)
    assert status == 400
    assert "Slack did not confirm who you are" in text and "code_already_used" in text
    assert not await signed_in(signin)


async def test_an_id_token_for_another_nonce_is_refused(signin: Dashboard, world: World) -> None:
    world.slack.openid.sign_in_as(TEAM, world.slack_admin)
    world.slack.openid.nonce_override = "a-nonce-of-another-sign-in"
    status, text = await sign_in_with(signin, "slack")
    assert status == 400
    assert "could not be verified" in text
    assert not await signed_in(signin)


@pytest.mark.parametrize("fault", [{"status": 500}, {"error": "invalid_code"}, {"kind": "drop"}])
async def test_a_slack_failure_is_a_friendly_page_and_no_session(
    signin: Dashboard, world: World, fault: dict[str, Any]
) -> None:
    world.slack.openid.sign_in_as(TEAM, world.slack_admin)
    world.slack.fail_next("openid.connect.token", **fault)
    status, text = await sign_in_with(signin, "slack")
    assert status == 400
    assert "Slack did not confirm who you are" in text and "partnerbot dashboard link" in text
    assert "Traceback" not in text
    assert not await signed_in(signin)


async def test_declining_on_slack_says_so(signin: Dashboard, world: World) -> None:
    status, text = await sign_in_with(signin, "slack")  # nobody approves: error=access_denied
    assert status == 400
    assert "The sign-in was cancelled" in text and "access_denied" in text


# --- Sign in with Discord --------------------------------------------------------------------------


async def test_a_discord_admin_signs_in_with_oauth(signin: Dashboard, world: World) -> None:
    world.discord.oauth.sign_in_as(world.discord_admin)
    authorize = await to_platform(signin, "discord", "/dashboard/audit")
    assert authorize.startswith(f"{world.discord.base_url}/oauth2/authorize?")
    status, location = await back(signin, await approve(signin, authorize))
    assert (status, location) == (302, "/dashboard/audit")

    asked = world.discord.oauth.authorize_requests[-1]
    assert asked["scope"] == "identify guilds.members.read"
    assert asked["state"] and asked["code_challenge"] and asked["code_challenge_method"] == "S256"
    assert asked["redirect_uri"] == str(signin.server.make_url("/dashboard/signin/discord/callback"))
    text = (await signin.get("/audit"))[1]
    assert "via discord" in text and "Dana" in text


async def test_a_holder_of_the_admin_role_signs_in_with_discord(signin: Dashboard, world: World) -> None:
    world.discord.oauth.sign_in_as(world.discord_role_admin)
    status, location = await sign_in_with(signin, "discord")
    assert (status, location) == (302, "/dashboard/")
    assert await signed_in(signin)
    # The admin channel's guild was asked once with the bot token, the roles with the person's token.
    assert world.discord.calls["GET /channels/{channel_id}"] == 1


async def test_a_discord_member_without_the_role_gets_a_403_and_it_is_audited(
    signin: Dashboard, world: World, harness: Harness
) -> None:
    world.discord.oauth.sign_in_as(world.discord_stranger)
    status, text = await sign_in_with(signin, "discord")
    assert status == 403
    assert "You are not a partnerbot admin" in text and "Stan (discord)" in text
    assert not await signed_in(signin)
    refused = await refused_in_audit(harness)
    assert len(refused) == 1 and str(world.discord_stranger) in refused[0]


async def test_a_discord_callback_with_a_wrong_state_or_a_reused_code_is_refused(
    signin: Dashboard, world: World
) -> None:
    world.discord.oauth.sign_in_as(world.discord_admin)
    callback = await approve(signin, await to_platform(signin, "discord"))
    status, text = await back(signin, with_query(callback, state="forged"))
    assert status == 400 and "This sign-in did not start here" in text

    callback = await approve(signin, await to_platform(signin, "discord"))
    assert (await back(signin, callback))[0] == 302
    assert await signed_in(signin)  # (and the page carries the CSRF token for signing out)
    assert (await signin.post("/signout"))[0] == 200
    fresh = await approve(signin, await to_platform(signin, "discord"))
    replayed = with_query(callback, state=parse_qs(urlsplit(fresh).query)["state"][0])
    status, text = await back(signin, replayed)
    assert status == 400
    assert "Discord did not confirm who you are" in text and "invalid_grant" in text
    assert not await signed_in(signin)


async def test_a_discord_failure_is_a_friendly_page_and_no_session(signin: Dashboard, world: World) -> None:
    world.discord.oauth.sign_in_as(world.discord_admin)
    world.discord.oauth.fail_token_next(500)
    status, text = await sign_in_with(signin, "discord")
    assert status == 400
    assert "Discord did not confirm who you are" in text
    assert not await signed_in(signin)
    # /users/@me failing after a good token is no sign-in either.
    world.discord.fail_next("get_current_user", status=502)
    status, text = await sign_in_with(signin, "discord")
    assert status == 400 and "Discord did not confirm who you are" in text
    assert not await signed_in(signin)


async def test_in_oauth_mode_the_group_check_uses_the_workspaces_installation(
    harness: Harness, world: World
) -> None:
    from cryptography.fernet import Fernet
    from slack_sdk.oauth.installation_store.models.installation import Installation

    from storage.slack_oauth import TokenCipher, slack_installation_store

    key = Fernet.generate_key().decode()
    overrides = world.overrides | {"slack_bot_token": "", "secret_key": key}
    d = await open_with(harness, **overrides)
    try:
        world.slack.openid.sign_in_as(TEAM, world.slack_group_admin, "Gia Group")
        # Not installed in that workspace yet: no token to read the group with, so no admin.
        status, text = await sign_in_with(d, "slack")
        assert status == 403 and "You are not a partnerbot admin" in text

        store = slack_installation_store(
            harness.app.engine, client_id=world.slack.client_id, cipher=TokenCipher(key)
        )
        bot_token = world.slack.workspaces[TEAM].bot_token
        await store.async_save(
            Installation(app_id="A1", team_id=TEAM, user_id="U1", bot_token=bot_token, bot_id="B1")
        )
        status, location = await sign_in_with(d, "slack")
        assert (status, location) == (302, "/dashboard/")
        assert await signed_in(d)
    finally:
        await close_dashboard(d)


def test_the_sign_in_modules_import_without_authlibs_deprecation_warning() -> None:
    """Authlib warns at import when it falls back to the deprecated httpx; `partnerbot run` and
    `dashboard` printed that on every start. In a fresh interpreter, where the import really runs."""
    script = (
        "import warnings\n"
        "from authlib.deprecate import AuthlibDeprecationWarning\n"
        "warnings.simplefilter('error', AuthlibDeprecationWarning)\n"
        "import adapters.web.oauth_slack, adapters.web.oauth_discord\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
