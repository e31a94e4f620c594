"""The Slack adapter's wiring: a slack-bolt `AsyncApp` plugged into the core, served over HTTP or
Socket Mode, single-workspace or OAuth-distributed — all chosen from `SlackSettings`.

HTTP: bolt's aiohttp adapter (`to_bolt_request`/`to_aiohttp_response`) behind an aiohttp server on
`PARTNERBOT_HTTP_HOST:PORT` with `POST /slack/events`, `GET /healthz` and, with OAuth, `/slack/install`
and `/slack/oauth_redirect`. Socket Mode (`SLACK_APP_TOKEN`): bolt's `AsyncSocketModeHandler`; the HTTP
server then serves only the health check and the OAuth pages (installing still needs a URL). Either
way the root may add GET routes of its own before start() (`extra_routes`: /metrics, /readyz).
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import run_async_bolt_app, send_async_response
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.listener.async_builtins import AsyncTokenRevocationListeners
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import edge, views
from adapters.slack import translate as tr
from adapters.slack.directory import SlackDirectory
from adapters.slack.handlers import SlackHandlers
from adapters.slack.payloads import Routable
from adapters.slack.replies import ResponseUrls
from adapters.slack.sender import (
    DEFAULT_API_URL,
    TEAM_RATE,
    BotTokens,
    InstalledTokens,
    SlackSender,
    StaticToken,
    make_client,
)
from adapters.slack.settings import SlackSettings
from adapters.slack.uploads import DEFAULT_BUDGET
from adapters.slack.variant_fields import ADD_LANGUAGE_ACTION
from bot.core import PartnerBot
from bot.domain import Platform
from bot.ports import FileStore, Sender
from bot.presenter.approvals import REJECT_ACTION
from bot.services.admin import EDIT_ACTION
from bot.settings import Admins

log = logging.getLogger(__name__)

EVENTS_PATH: Final = "/slack/events"
HEALTH_PATH: Final = "/healthz"
INSTALL_PATH: Final = "/slack/install"
REDIRECT_PATH: Final = "/slack/oauth_redirect"
# Bot scopes requested by the OAuth install; keep in step with manifest.yml (a test checks it).
BOT_SCOPES: Final = (
    "app_mentions:read", "channels:history", "channels:read", "chat:write", "chat:write.public",
    "commands", "files:read", "files:write", "groups:history", "groups:read", "reactions:read",
    "usergroups:read", "users:read",
)  # fmt: skip
OAUTH_STATE_SECONDS: Final = 600
SEEN_TRIGGERS: Final = 2_000  # interactions remembered to recognise one Slack sends again
# apps.connections.open errors that mean the app token itself is wrong, not that Slack is unreachable.
APP_TOKEN_REFUSALS: Final = frozenset(
    {"not_authed", "invalid_auth", "not_allowed_token_type", "token_revoked", "account_inactive"}
)
CHANNEL_GONE_EVENTS: Final = (
    "channel_archive", "channel_deleted", "channel_left", "group_archive", "group_deleted", "group_left",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class OAuthStores:
    """Where OAuth mode keeps installations (bot tokens per workspace) and OAuth states: slack_sdk's
    own interfaces, implemented over partnerbot's database in storage/slack_oauth.py."""

    installations: AsyncInstallationStore
    states: AsyncOAuthStateStore


class SlackConfigError(ValueError):
    """The Slack settings do not describe a runnable app; the message says what to set."""


@dataclass(frozen=True, slots=True)
class Mode:
    oauth: bool
    socket: bool

    @property
    def name(self) -> str:
        return f"{'oauth' if self.oauth else 'single-workspace'}/{'socket' if self.socket else 'http'}"


def mode_of(settings: SlackSettings, *, receives_events: bool = True) -> Mode:
    """How this process talks to Slack; `receives_events=False` (a delivery-only worker) needs no
    signing secret: nothing reaches it from Slack."""
    oauth = bool(settings.slack_client_id or settings.slack_client_secret)
    if oauth and not (settings.slack_client_id and settings.slack_client_secret):
        raise SlackConfigError("OAuth distribution needs both SLACK_CLIENT_ID and SLACK_CLIENT_SECRET")
    if not oauth and not settings.slack_bot_token:
        raise SlackConfigError("set SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID/SECRET (OAuth)")
    socket = bool(settings.slack_app_token)
    if receives_events and not settings.slack_signing_secret and (oauth or not socket):
        raise SlackConfigError("SLACK_SIGNING_SECRET is required to verify requests from Slack")
    if (
        not oauth
        and os.environ.get("SLACK_CLIENT_ID") is not None
        and os.environ.get("SLACK_CLIENT_SECRET") is not None
    ):
        # slack-bolt switches to OAuth (dropping the bot token) whenever both are in the environment.
        raise SlackConfigError("SLACK_CLIENT_ID/SECRET are in the environment but empty: unset them")
    return Mode(oauth=oauth, socket=socket)


def authorize_url(api_url: str) -> str | None:
    """The install page belonging to a non-default Web API host (GovSlack, a proxy, the test fake)."""
    if not api_url or api_url == DEFAULT_API_URL:
        return None
    return re.sub(r"/api/?$", "", api_url.rstrip("/")) + "/oauth/v2/authorize"


class GuardedSocketModeHandler(AsyncSocketModeHandler):
    """bolt's Socket Mode handler with the discipline of the HTTP path (`SlackAdapter._dispatch`): an
    envelope whose payload bolt cannot read is acknowledged all the same — unacknowledged, Slack sends
    it again, and bolt's own handler would log a traceback each time — and logged once at WARNING."""

    def __init__(self, app: AsyncApp, app_token: str) -> None:
        super().__init__(app, app_token)
        self._seen_triggers: OrderedDict[str, None] = OrderedDict()

    async def handle(self, client: AsyncBaseSocketModeClient, req: SocketModeRequest) -> None:
        started = time.time()
        try:
            Routable.read(req.payload)
            if self._repeated(req):
                log.info("Slack sent %s again (ack lost); done already", edge.kind(req.payload))
                await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
                return
            response = await run_async_bolt_app(self.app, req)
        except Exception as error:  # bolt reads the envelope's fields as if well-typed
            kind, why = edge.kind(req.payload), edge.short(error)
            log.warning("Slack %s not understood (%s); acknowledged", kind, why)
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            return
        await send_async_response(client, req, response, started)

    def _repeated(self, req: SocketModeRequest) -> bool:
        """Socket Mode is at least once: an envelope whose ack Slack missed (a reconnect in between) can
        come again as a new envelope. Events are recognised by their event id in the listeners; a
        click, command or modal submission carries one `trigger_id`, so each is carried out once."""
        trigger = req.payload.get("trigger_id") if req.type != "events_api" else None
        if not isinstance(trigger, str) or not trigger:
            return False
        if trigger in self._seen_triggers:
            return True
        self._seen_triggers[trigger] = None
        if len(self._seen_triggers) > SEEN_TRIGGERS:
            self._seen_triggers.popitem(last=False)
        return False


class SlackAdapter:
    """What `partnerbot run` starts: `start()` returns once Slack can reach the bot."""

    platform = Platform.SLACK

    def __init__(
        self,
        settings: SlackSettings,
        bolt: AsyncApp,
        sender: SlackSender,
        handlers: SlackHandlers,
        mode: Mode,
    ) -> None:
        self.settings = settings
        self.bolt = bolt
        self.slack_sender = sender
        self.sender: Sender = sender
        self.handlers = handlers
        self.mode = mode
        self._runner: web.AppRunner | None = None
        self._socket: GuardedSocketModeHandler | None = None
        self._port = 0
        self._verifier: SignatureVerifier | None = None
        # More GET routes on the same server (the root's /metrics and /readyz), set before start().
        self.extra_routes: dict[str, Callable[[web.Request], Awaitable[web.StreamResponse]]] = {}
        # Whole applications the root serves on this server too (the dashboard at /dashboard/).
        self.mounts: list[Callable[[web.Application], None]] = []
        self.response_urls = ResponseUrls()
        bolt.use(self.response_urls)

    @property
    def port(self) -> int:
        """The port actually listened on (useful with PARTNERBOT_HTTP_PORT=0)."""
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{self.settings.http_host}:{self._port}"

    async def start(self) -> None:
        web_app = web.Application()
        web_app.router.add_get(HEALTH_PATH, self._health)
        for path, handler in self.extra_routes.items():
            web_app.router.add_get(path, handler)
        for mount in self.mounts:
            mount(web_app)
        if not self.mode.socket:
            self._verifier = SignatureVerifier(self.settings.slack_signing_secret)
            web_app.router.add_post(EVENTS_PATH, self._dispatch)
        if self.bolt.oauth_flow is not None:
            web_app.router.add_get(INSTALL_PATH, self._install)
            web_app.router.add_get(REDIRECT_PATH, self._oauth_redirect)
        self._runner = web.AppRunner(web_app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.settings.http_host, self.settings.http_port).start()
        address = self._runner.addresses[0]
        self._port = int(address[1])
        if self.mode.socket:
            self._socket = GuardedSocketModeHandler(self.bolt, self.settings.slack_app_token)
            await self._open_first_socket_url(self._socket)
            await self._socket.connect_async()  # type: ignore[no-untyped-call]  # bolt leaves it unannotated
        log.info("Slack adapter serving (%s) on %s", self.mode.name, self.base_url)

    @property
    def not_ready(self) -> str | None:
        """None while Slack can reach the bot; else why not (for /readyz)."""
        if self._runner is None:
            return "not started"
        if self.mode.socket:
            session = getattr(self._socket.client, "current_session", None) if self._socket else None
            if session is None or session.closed:
                return "Socket Mode not connected"
        return None

    async def _open_first_socket_url(self, handler: GuardedSocketModeHandler) -> None:
        """Ask for the first WebSocket URL here: bolt retries a refused app token forever (a traceback
        every 10 s), so a wrong SLACK_APP_TOKEN would leave `partnerbot run` hanging instead of
        stopping with one line. https://docs.slack.dev/reference/methods/apps.connections.open"""
        try:
            handler.client.wss_uri = await handler.client.issue_new_wss_url()
        except SlackApiError as error:
            await handler.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
            code = str(error.response.get("error", ""))
            if code in APP_TOKEN_REFUSALS:
                raise SlackConfigError(
                    f"Slack refused SLACK_APP_TOKEN ({code}): set the app-level token (xapp-…) "
                    "made under Basic Information → App-Level Tokens with the connections:write scope"
                ) from None
            raise

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()  # stops accepting requests first
            self._runner = None
        await self.handlers.drain(timeout=5.0)  # listeners still working after their ack
        await self.slack_sender.close()
        await self.response_urls.close()

    async def _dispatch(self, request: web.Request) -> web.Response:
        """Verify (adapters/slack/edge.py), then hand bolt a request built from the checked body."""
        assert self._verifier is not None
        raw = await edge.read_capped(request)
        checked = (
            edge.Refusal(413, "body too large")
            if raw is None
            else edge.verify(self._verifier, request.headers, raw)
        )
        if isinstance(checked, edge.Refusal):
            edge.log_refusal(checked, request.headers, request.content_length if raw is None else len(raw))
            return edge.refused(checked)
        try:
            Routable.read(checked.payload)
            bolt_request = AsyncBoltRequest(
                body=checked.text, query=request.query_string, headers=dict(request.headers)
            )
            response = await self.bolt.async_dispatch(bolt_request)
        except Exception as error:  # bolt reads the envelope's fields as if well-typed
            # Verified, so from Slack: acknowledged (else Slack retries it), and nothing done.
            kind, why = edge.kind(checked.payload), edge.short(error)
            log.warning("Slack %s not understood (%s); acknowledged", kind, why)
            return web.Response(status=200)
        return await to_aiohttp_response(response)

    async def _install(self, request: web.Request) -> web.Response:
        assert self.bolt.oauth_flow is not None
        response = await self.bolt.oauth_flow.handle_installation(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    async def _oauth_redirect(self, request: web.Request) -> web.Response:
        assert self.bolt.oauth_flow is not None
        response = await self.bolt.oauth_flow.handle_callback(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    async def _health(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "platform": "slack", "mode": self.mode.name})


def team_rate(settings: SlackSettings) -> tuple[float, float]:
    """The workspace bucket as (burst, seconds to refill it) from PARTNERBOT_SLACK_WORKSPACE_RATE."""
    burst = TEAM_RATE[0]
    return burst, burst / settings.slack_workspace_rate


def build_slack_adapter(
    bot: PartnerBot,
    settings: SlackSettings,
    *,
    admins: Admins,
    oauth_stores: OAuthStores | None = None,
    files: FileStore | None = None,
    share_budget: float = DEFAULT_BUDGET,
) -> SlackAdapter:
    """Wire bolt, the Sender and the listeners from `settings` (nothing connects until start()).
    `admins` says who may use admin features where (the user-group pre-check); `oauth_stores` is
    needed in OAuth mode (SLACK_CLIENT_ID/SECRET) only; `files` is where attachments are read from,
    `share_budget` how long their uploads may take before the share (adapters/slack/uploads.py)."""
    mode = mode_of(settings)
    if mode.oauth and settings.slack_bot_token:
        log.warning("SLACK_CLIENT_ID/SECRET are set: OAuth mode, SLACK_BOT_TOKEN is ignored")
    api_url = settings.slack_api_url or DEFAULT_API_URL
    client = make_client(api_url, token=None if mode.oauth else settings.slack_bot_token)
    directory = SlackDirectory(admins)
    tokens: BotTokens
    if mode.oauth:
        if oauth_stores is None:
            raise SlackConfigError("OAuth mode needs the installation and OAuth state stores")
        store = oauth_stores.installations
        bolt = AsyncApp(
            name="partnerbot",
            signing_secret=settings.slack_signing_secret,
            client=client,
            oauth_settings=_oauth_settings(settings, oauth_stores, client),
            raise_error_for_unhandled_request=True,  # acknowledged and logged by edge.on_bolt_error
            # edge.verify checks every HTTP request before bolt sees it; bolt's own check would redo
            # the HMAC on every request (Socket Mode requests carry no signature).
            request_verification_enabled=False,
        )
        tokens, revocation = InstalledTokens(store), AsyncTokenRevocationListeners(store)
    else:
        bolt = AsyncApp(
            name="partnerbot",
            signing_secret=settings.slack_signing_secret or None,
            client=client,
            raise_error_for_unhandled_request=True,  # acknowledged and logged by edge.on_bolt_error
            # edge.verify checks every HTTP request before bolt sees it; bolt's own check would redo
            # the HMAC on every request (Socket Mode requests carry no signature).
            request_verification_enabled=False,
        )
        tokens, revocation = StaticToken(settings.slack_bot_token), None
    sender = SlackSender(
        tokens,
        base_url=api_url,
        team_of=directory.team_of,
        team_rate=team_rate(settings),
        files=files,
        share_budget=share_budget,
    )
    handlers = SlackHandlers(bot, directory, revocation=revocation, forget_team=tokens.forget)
    register(bolt, handlers)
    bolt.error(edge.on_bolt_error)
    return SlackAdapter(settings, bolt, sender, handlers, mode)


def _oauth_settings(
    settings: SlackSettings, stores: OAuthStores, client: AsyncWebClient
) -> AsyncOAuthSettings:
    """Installations and OAuth state in partnerbot's own database (tables from migration 0002)."""
    store = stores.installations
    oauth = AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES),
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        authorization_url=authorize_url(settings.slack_api_url),
        installation_store=store,
        installation_store_bot_only=True,
        state_store=stores.states,
        state_expiration_seconds=OAUTH_STATE_SECONDS,
    )
    # bolt's default authorizer has no client of its own (it would reach slack.com for token
    # rotation); give it ours, and cache auth.test per token instead of calling it per request.
    oauth.authorize = AsyncInstallationStoreAuthorize(
        logger=log,
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        installation_store=store,
        bot_only=True,
        cache_enabled=True,
        client=client,
    )
    return oauth


def register(bolt: AsyncApp, h: SlackHandlers) -> None:
    """Every listener, in one place: what the manifest subscribes to is what is handled here."""
    bolt.command(tr.PARTNER_COMMAND)(h.partner_command)
    bolt.command(tr.ADMIN_COMMAND)(h.admin_command)
    bolt.event("app_mention")(h.app_mention)
    bolt.event("message")(h.message)
    bolt.event("reaction_added")(h.reaction)
    bolt.event("reaction_removed")(h.reaction)
    bolt.event("app_uninstalled")(h.app_uninstalled)
    bolt.event("tokens_revoked")(h.tokens_revoked)
    for event in CHANNEL_GONE_EVENTS:
        bolt.event(event)(h.channel_gone)
    bolt.action(re.compile("^(" + "|".join(map(re.escape, tr.CORE_ACTIONS)) + ")$"))(h.core_button)
    bolt.action(EDIT_ACTION)(h.edit_button)
    bolt.action(tr.ASK_ACTION)(h.ask_button)
    bolt.action(tr.HELPFUL_ACTION)(h.helpful_button)
    bolt.action(tr.CTA_ACTION)(h.cta_button)
    bolt.action(tr.SHOW_LINK_PRESS)(h.show_link_button)
    bolt.action(tr.ACK_ACTION)(h.ack_button)
    bolt.action(tr.MUTE_ACTION)(h.mute_button)
    bolt.shortcut(tr.BROADCAST_SHORTCUT)(h.broadcast_shortcut)
    bolt.view_submission(views.BROADCAST_VIEW)(h.broadcast_submitted)
    bolt.view_submission(views.EDIT_VIEW)(h.edit_submitted)
    bolt.view_submission(views.ASK_VIEW)(h.question_submitted)
    bolt.action(REJECT_ACTION)(h.reject_button)
    bolt.view_submission(views.REJECT_VIEW)(h.reject_submitted)
    bolt.action(ADD_LANGUAGE_ACTION)(h.add_language)
