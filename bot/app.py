"""The one composition root: Settings in, a running partnerbot out.

Only this module (and the CLI that calls it) knows storage, the core and the adapters together.
Platform adapters hand in their Senders; the core never learns which library is behind them.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.attachments import MIB
from bot.cadence import JobRun
from bot.config import Settings
from bot.core import PartnerBot
from bot.domain import ChannelRef, Platform
from bot.jobs import JOBS, JobHost, JobPorts, run_job
from bot.metrics import Operations, PrometheusMetrics, serve_operations
from bot.ports import Clock, RateLimiter, Sender, Stores, SystemClock
from bot.ports.dashboard import DashboardViews
from bot.ports.metrics import Metrics, NoMetrics
from bot.ports.similarity import Similarity, VectorFiller
from bot.ports.translator import Translator
from bot.services.cta import CtaLinks
from bot.services.dashboard_access import AccessPorts, DashboardAccess
from bot.services.delivery import LEASE_MARGIN, DeliveryWorker, RetryPolicy
from bot.services.digests import DigestPorts, DigestService
from bot.services.files import FilePorts
from bot.services.preview_images import ImageLinks
from bot.services.process_limiter import ProcessLimiter
from bot.services.ratelimits import NoLimiter, SharedLimiter
from bot.services.similarity import OfferAudience
from storage import migrate
from storage.engine import command_slots, make_engine, make_sessionmaker
from storage.files import FilesystemFileStore, LocalFileReader
from storage.repositories import (
    AckRepository,
    AnnouncementRepository,
    ApprovalRepository,
    AuditRepository,
    CapRepository,
    CommandSyncRepository,
    CtaRepository,
    DigestRepository,
    DirectoryRepository,
    EngagementRepository,
    FaqRepository,
    FaqVectorRepository,
    FeedbackRepository,
    JobRunRepository,
    NoticeRepository,
    OutboxRepository,
    PrivacyRepository,
    ProgressRepository,
    RateLimitRepository,
    ReportRepository,
    RevisionRepository,
    SavedAudienceRepository,
    ScheduleRepository,
    SearchRepository,
    SeriesRepository,
    StatsRepository,
    SubscriptionRepository,
    TopicRepository,
    VariantRepository,
)
from storage.repositories.announcement_story import AnnouncementStoryRepository
from storage.repositories.dashboard_links import SignInLinkRepository
from storage.repositories.files import FileUsageRepository
from storage.repositories.ops import OpsRepository
from storage.repositories.overview import OverviewRepository
from storage.repositories.partner_pulse import PartnerPulseRepository
from storage.repositories.questions import QuestionsRepository
from storage.repositories.snapshots import ScoreSnapshotRepository
from storage.repositories.topic_trends import TopicTrendsRepository

if TYPE_CHECKING:  # the adapters themselves are imported only when configured
    from aiohttp import web

    from adapters.discord.client import DiscordAdapter
    from adapters.discord.handlers import DiscordOptions
    from adapters.similarity import Encoder
    from adapters.slack.app import SlackAdapter
    from adapters.web.signins import PlatformSignIns

log = logging.getLogger(__name__)


class PlatformAdapter(Protocol):
    """What `partnerbot run` needs from a platform adapter (adapters/slack, adapters/discord)."""

    platform: Platform
    sender: Sender

    async def start(self) -> None:
        """Connect (open the HTTP server / socket / gateway); return once it is serving."""
        ...

    async def stop(self) -> None: ...

    @property
    def not_ready(self) -> str | None:
        """None while connected to the platform; else why not, in a few words (for /readyz)."""
        ...


@dataclass
class App:
    settings: Settings
    engine: AsyncEngine
    stores: Stores
    bot: PartnerBot
    worker: DeliveryWorker
    clock: Clock
    digests: DigestService
    limiter: RateLimiter
    files: FilesystemFileStore
    metrics: PrometheusMetrics | None = None
    # The embedding matcher's missing vectors (PARTNERBOT_SIMILARITY=embeddings), for the jobs.
    vector_filler: VectorFiller | None = None
    scheduler: AsyncIOScheduler | None = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def job_ports(self) -> JobPorts:
        """The ports the periodic jobs use themselves (bot/jobs.py); they never get `stores`."""
        s = self.stores
        return JobPorts(
            job_runs=s.job_runs,
            announcements=s.announcements,
            outbox=s.outbox,
            rate_limits=s.rate_limits,
            privacy=s.privacy,
            file_usage=s.file_usage,
            file_bytes=self.files,
            score_snapshots=s.score_snapshots,
            vectors=self.vector_filler,
        )

    def start_background(self, *, jobs: bool = True) -> None:
        """Run the delivery worker, and unless `jobs` is False the periodic jobs, in this event loop."""
        self._tasks.append(
            asyncio.create_task(self.worker.run(self._stop, poll_seconds=self.settings.poll_seconds))
        )
        if jobs:
            self.scheduler = build_scheduler(self, self.metrics)
            self.scheduler.start()

    async def close(self) -> None:
        self._stop.set()
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        for task in self._tasks:
            try:
                await asyncio.wait_for(task, timeout=10)
            except TimeoutError:
                task.cancel()
        await self.limiter.close()
        await self.engine.dispose()


def build_stores(engine: AsyncEngine, *, admin_channels: Sequence[ChannelRef] = ()) -> Stores:
    """The repositories; `admin_channels` never receive broadcasts or digests, even if subscribed."""
    sessions = make_sessionmaker(engine)
    return Stores(
        topics=TopicRepository(sessions),
        directory=DirectoryRepository(sessions),
        subscriptions=SubscriptionRepository(sessions),
        announcements=AnnouncementRepository(sessions, excluded_channels=admin_channels),
        outbox=OutboxRepository(sessions),
        feedback=FeedbackRepository(sessions),
        stats=StatsRepository(sessions),
        audit=AuditRepository(sessions),
        schedules=ScheduleRepository(sessions, excluded_channels=admin_channels),
        digests=DigestRepository(sessions, excluded_channels=admin_channels),
        notices=NoticeRepository(sessions),
        job_runs=JobRunRepository(sessions),
        reports=ReportRepository(sessions),
        acks=AckRepository(sessions),
        revisions=RevisionRepository(sessions),
        progress=ProgressRepository(sessions),
        rate_limits=RateLimitRepository(sessions),
        privacy=PrivacyRepository(sessions),
        engagement=EngagementRepository(sessions),
        audiences=SavedAudienceRepository(sessions),
        ctas=CtaRepository(sessions),
        variants=VariantRepository(sessions),
        search=SearchRepository(sessions),
        file_usage=FileUsageRepository(sessions),
        series=SeriesRepository(sessions),
        caps=CapRepository(sessions, excluded_channels=admin_channels),
        approvals=ApprovalRepository(sessions),
        faq=FaqRepository(sessions),
        score_snapshots=ScoreSnapshotRepository(sessions),
    )


def _test_channels(settings: Settings) -> dict[Platform, str]:
    """Where each platform's test copies go (`test <id>`), from the adapters' settings."""
    configured = {
        Platform.SLACK: settings.slack_test_channel.strip(),
        Platform.DISCORD: settings.discord_test_channel.strip(),
    }
    return {platform: channel for platform, channel in configured.items() if channel}


def _translator(settings: Settings) -> Translator | None:
    """The machine translator of `translate <id> <lang> draft`, when PARTNERBOT_TRANSLATOR_URL is set."""
    if not settings.translator_url.strip():
        return None
    from adapters.translator import LibreTranslator  # only where one is configured

    key = settings.translator_key.get_secret_value()
    return LibreTranslator(settings.translator_url.strip(), api_key=key, timeout=settings.translator_timeout)


async def _similarity(
    settings: Settings, engine: AsyncEngine, stores: Stores, encoder: Encoder | None
) -> tuple[Similarity | None, VectorFiller | None]:
    """PARTNERBOT_SIMILARITY: None for the core's full-text default; for `embeddings`, the model
    loaded offline now (an `EncoderUnavailable` says why it cannot be), unless `encoder` is given,
    with the filler of its missing vectors that the `faq-vectors` job runs."""
    if settings.similarity != "embeddings":
        return None, None
    from adapters.similarity import EmbeddingSimilarity, VectorFill, load_sentence_transformer

    if encoder is None:
        encoder = await asyncio.to_thread(load_sentence_transformer, settings.similarity_model)
    vectors = FaqVectorRepository(make_sessionmaker(engine))
    similarity = EmbeddingSimilarity(
        vectors,
        OfferAudience(stores.search),
        encoder,
        model=settings.similarity_model,
        floor=settings.similarity_floor,
    )
    return similarity, VectorFill(vectors, encoder, model=settings.similarity_model)


async def build_app(
    settings: Settings,
    *,
    senders: Mapping[Platform, Sender] | None = None,
    clock: Clock | None = None,
    retry: RetryPolicy | None = None,
    run_migrations: bool = True,
    limiter: RateLimiter | None = None,
    metrics: PrometheusMetrics | None = None,
    encoder: Encoder | None = None,
    answers_questions: bool = True,
) -> App:
    """Migrate the database, then wire storage, the core and the delivery worker. `encoder` stands
    in for PARTNERBOT_SIMILARITY_MODEL (tests); `answers_questions` False (a delivery-only process,
    which never matches a question) loads no embedding model."""
    if run_migrations:
        await asyncio.to_thread(migrate.upgrade, settings.database_url, secret_key=settings.secret_key)
    clock = clock or SystemClock()
    engine = make_engine(settings.database_url)
    stores = build_stores(engine, admin_channels=settings.admin_channel_refs())
    similarity, vector_filler = (
        await _similarity(settings, engine, stores, encoder) if answers_questions else (None, None)
    )
    worker_box: list[DeliveryWorker] = []
    core = settings.core()  # the core gets no token, secret or database URL
    files = FilesystemFileStore(settings.files_dir)
    links = cta_links(settings)
    bot = PartnerBot(
        stores,
        clock,
        core,
        wake_worker=lambda: worker_box[0].wake() if worker_box else None,
        command_slots=command_slots(engine),
        # The chat's `dashboard` hands out sign-in links only where a dashboard is served.
        dashboard=_dashboard_access(engine, stores, clock, settings) if settings.dashboard_enabled else None,
        test_channels=_test_channels(settings),
        cta_links=links,
        image_links=image_links(settings),
        translator=_translator(settings),
        similarity=similarity,
        # `attach:<path>` is read only for console invocations (bot/services/files.py decides).
        files=FilePorts(
            store=files, local=LocalFileReader(), discord_file=int(settings.discord_max_file_mb * MIB)
        ),
    )
    digests = DigestService(DigestPorts(digests=stores.digests), clock, core, cta_links=links)
    limiter = limiter or build_limiter(settings, engine)
    worker = DeliveryWorker(
        stores,
        clock,
        dict(senders or {}),
        bot.feedback,
        worker_id=f"{socket.gethostname()}:{os.getpid()}",
        batch=settings.worker_batch,
        concurrency=settings.worker_concurrency,
        lease=timedelta(seconds=settings.lease_seconds),
        retry=retry or RetryPolicy(max_attempts=settings.max_attempts),
        digests=digests,
        limiter=limiter,
        metrics=metrics,
        cta_links=links,
        default_language=core.default_language,
    )
    worker_box.append(worker)
    return App(
        settings=settings,
        engine=engine,
        stores=stores,
        bot=bot,
        worker=worker,
        clock=clock,
        digests=digests,
        limiter=limiter,
        files=files,
        metrics=metrics,
        vector_filler=vector_filler,
    )


def operations(app: App, adapters: Sequence[PlatformAdapter] = ()) -> Operations:
    """`/metrics` and `/readyz` of this process: its metrics, its database, its adapters."""
    assert app.metrics is not None
    return Operations(
        app.metrics,
        OpsRepository(make_sessionmaker(app.engine)),
        app.clock.now,
        {adapter.platform.value: adapter for adapter in adapters},
    )


def build_limiter(settings: Settings, engine: AsyncEngine) -> RateLimiter:
    """PARTNERBOT_RATE_LIMITS: see bot/services/ratelimits.py."""
    if settings.rate_limits == "off":
        return NoLimiter()
    if settings.shared_rate_limits():
        return SharedLimiter(RateLimitRepository(make_sessionmaker(engine)))
    return ProcessLimiter()


# The scheduler is a library the core must not import: wired here.


def build_scheduler(host: JobHost, metrics: Metrics | None = None) -> AsyncIOScheduler:
    """Every job of bot/jobs.py that applies to this process (`faq-vectors` only with an embedding
    matcher) on an interval tick (APScheduler only ticks; bot/jobs.py decides which runs happen);
    `coalesce` and one instance at a time (APScheduler defaults)."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    ports = host.job_ports
    for job in JOBS.values():
        if not job.applies(ports):
            continue
        scheduler.add_job(
            run_measured_job,
            "interval",
            seconds=job.tick.total_seconds(),
            id=job.name,
            args=[host, job.name, metrics or NoMetrics()],
            coalesce=True,
            max_instances=1,
        )
    return scheduler


async def run_measured_job(host: JobHost, name: str, metrics: Metrics) -> list[str]:
    """`run_job`, counting each period it ran (partnerbot_job_runs_total) and each failure."""
    try:
        ran = await run_job(host, name)
    except Exception:
        metrics.job_run(job=name, failed=True)
        raise
    for _ in ran:
        metrics.job_run(job=name, failed=False)
    return ran


def build_adapters(app: App, *, deliver_only: bool = False) -> list[PlatformAdapter]:
    """Every platform adapter whose credentials are configured (imported only when needed).
    `deliver_only`: just the Senders, for a process that receives no events (`partnerbot worker`)."""
    adapters: list[PlatformAdapter] = []
    for platform in app.settings.configured_platforms():
        if platform is Platform.SLACK:
            adapters.append(slack_delivery(app) if deliver_only else slack_adapter(app))
        elif platform is Platform.DISCORD:
            adapters.append(discord_delivery(app) if deliver_only else discord_adapter(app))
    return adapters


# Each adapter gets narrow arguments: the core's entry point, its own settings class, who the admins
# are, the ports it needs. Only this module hands them over; no adapter imports it (import-linter
# contracts in pyproject.toml).


def slack_adapter(app: App) -> SlackAdapter:
    from adapters.slack.app import OAUTH_STATE_SECONDS, OAuthStores, build_slack_adapter
    from storage.slack_oauth import TokenCipher, slack_installation_store, slack_state_store

    client_id = app.settings.slack_client_id
    stores = (
        OAuthStores(
            installations=slack_installation_store(
                app.engine, client_id=client_id, cipher=TokenCipher(app.settings.secret_key)
            ),
            states=slack_state_store(app.engine, expiration_seconds=OAUTH_STATE_SECONDS),
            lookups=slack_installation_store(
                app.engine, client_id=client_id, cipher=TokenCipher(app.settings.secret_key), read_only=True
            ),
        )
        if client_id
        else None
    )
    return build_slack_adapter(
        app.bot,
        app.settings.slack(),
        admins=app.settings.admins(),
        oauth_stores=stores,
        files=app.files,
        share_budget=share_budget(app.settings),
    )


def slack_delivery(app: App) -> PlatformAdapter:
    from adapters.slack.delivery import build_slack_delivery
    from storage.slack_oauth import TokenCipher, slack_installation_store

    client_id = app.settings.slack_client_id
    store = (
        slack_installation_store(
            app.engine, client_id=client_id, cipher=TokenCipher(app.settings.secret_key), read_only=True
        )
        if client_id
        else None
    )
    return build_slack_delivery(
        app.settings.slack(), installations=store, files=app.files, share_budget=share_budget(app.settings)
    )


def share_budget(settings: Settings) -> float:
    """How long an announcement's Slack uploads may take before the share: most of the part of a
    lease a post starts with (LEASE_MARGIN), so the share starts while the claim still holds."""
    return settings.lease_seconds * LEASE_MARGIN * 0.8


def discord_adapter(app: App, options: DiscordOptions | None = None) -> DiscordAdapter:
    """`options` default to the settings' (PARTNERBOT_DISCORD_*)."""
    from adapters.discord.client import build_discord_adapter

    return build_discord_adapter(
        app.bot,
        app.settings.discord(),
        admins=app.settings.admins(),
        command_sync=CommandSyncRepository(make_sessionmaker(app.engine)),
        clock=app.clock,
        options=options,
        files=app.files,
    )


def discord_delivery(app: App) -> PlatformAdapter:
    from adapters.discord.delivery import build_discord_delivery

    return build_discord_delivery(app.settings.discord(), files=app.files)


async def serve(
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    deliver_only: bool = False,
    run_migrations: bool = True,
) -> None:
    """`partnerbot run`: every configured adapter, the worker and the scheduler, until stopped.
    `partnerbot worker` (`deliver_only`): the Senders and the delivery worker, nothing else.
    `run_migrations` False: another process migrated (bot/cli/processes.py)."""
    app = await build_app(
        settings,
        metrics=PrometheusMetrics(),
        run_migrations=run_migrations,
        answers_questions=not deliver_only,
    )
    adapters = build_adapters(app, deliver_only=deliver_only)
    ops = operations(app, adapters)
    dashboard = dashboard_app(app) if settings.dashboard_enabled and not deliver_only else None
    redirect = redirect_app(app) if not deliver_only else None
    images = preview_files_app(app) if not deliver_only else None
    slack_server = None
    if Platform.SLACK in settings.configured_platforms() and not deliver_only:
        from adapters.slack.app import SlackAdapter

        for adapter in adapters:
            if isinstance(adapter, SlackAdapter):  # /metrics, /readyz, the dashboard next to its /healthz
                adapter.extra_routes.update(ops.routes())
                if dashboard is not None:
                    adapter.mounts.append(lambda root: mount_dashboard(root, dashboard))
                if redirect is not None:
                    adapter.mounts.append(lambda root: mount_redirect(root, redirect))
                if images is not None:
                    adapter.mounts.append(lambda root: mount_preview_files(root, images))
                slack_server = adapter
    stop = stop or _stop_on_signals()
    ops_server = None
    web_server = None
    try:
        if settings.metrics_port is not None:
            ops_server = await serve_operations(ops, settings.http_host, settings.metrics_port)
            log.info("metrics on http://%s:%d/metrics", settings.http_host, settings.metrics_port)
        # No Slack server to share: the root's own, for the dashboard and/or the CTA redirect.
        if (dashboard is not None or redirect is not None or images is not None) and slack_server is None:
            try:
                web_server = await serve_web(
                    settings.http_host, settings.http_port, ops, dashboard, redirect=redirect, images=images
                )
                if dashboard is not None:
                    log.info(
                        "dashboard on %s/dashboard/", settings.web().base_url(listening_port(web_server))
                    )
            except OSError as exc:  # the chat must not stop for the dashboard: say so and go on
                log.warning(
                    "dashboard not served: cannot listen on %s:%d (%s); set PARTNERBOT_HTTP_PORT to a free "
                    "port, or PARTNERBOT_DASHBOARD=false",
                    settings.http_host,
                    settings.http_port,
                    exc.strerror or exc,
                )
        if settings.slack_client_id and not deliver_only:
            await seal_slack_tokens(app)
        for adapter in adapters:
            app.worker.add_sender(adapter.platform, adapter.sender)
            try:
                await adapter.start()
            except (ValueError, asyncio.CancelledError):
                raise  # configuration errors keep their own message (exit 2)
            except Exception as exc:  # the platform refused or was unreachable: say so in one line
                log.debug("%s failed to start", adapter.platform.value, exc_info=True)
                raise StartupError(f"{adapter.platform.value}: {type(exc).__name__}: {exc}") from exc
            log.info("%s %s started", adapter.platform.value, "sender" if deliver_only else "adapter")
        # Start-up objects (modules, clients, table metadata) live as long as the process: moved out
        # of the cyclic collector's way, full collections stop re-scanning them (measured with
        # bench/fanout.py: about a fifth of a worker's CPU during a fan-out).
        gc.collect()
        gc.freeze()
        app.start_background(jobs=not deliver_only)
        log.info("partnerbot %s %s is running", "worker" if deliver_only else "server", app.worker.id)
        await stop.wait()
    finally:
        if ops_server is not None:
            await ops_server.cleanup()
        if web_server is not None:
            await web_server.cleanup()
        for adapter in reversed(adapters):
            await adapter.stop()
        await app.close()


# --- the web dashboard (adapters/web) ------------------------------------------------------------


def dashboard_views(engine: AsyncEngine) -> DashboardViews:
    """The dashboard's read ports (one per page)."""
    sessions = make_sessionmaker(engine)
    return DashboardViews(
        audit=AuditRepository(sessions),
        overview=OverviewRepository(sessions),
        announcements=AnnouncementStoryRepository(sessions),
        questions=QuestionsRepository(sessions),
        partners=PartnerPulseRepository(sessions),
        topics=TopicTrendsRepository(sessions),
    )


def dashboard_access(app: App) -> DashboardAccess:
    return _dashboard_access(app.engine, app.stores, app.clock, app.settings)


def _dashboard_access(
    engine: AsyncEngine, stores: Stores, clock: Clock, settings: Settings
) -> DashboardAccess:
    """Sign-in links, built on PARTNERBOT_PUBLIC_URL (the chat's `dashboard` shows the whole address)."""
    ports = AccessPorts(links=SignInLinkRepository(make_sessionmaker(engine)), audit=stores.audit)
    return DashboardAccess(
        ports,
        clock,
        link_ttl=timedelta(minutes=settings.dashboard_link_minutes),
        base_url=settings.web().base_url(),
    )


def session_key(secret_key: str) -> bytes:
    """32 bytes for the dashboard's session cookies, derived (HKDF) from the first key of
    PARTNERBOT_SECRET_KEY so that every process of one install accepts the same cookies. Without a
    key, a random one: sessions then last as long as the process (the CLI warns)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    first = next((key.strip() for key in secret_key.split(",") if key.strip()), "")
    if not first:
        return os.urandom(32)
    kdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"partnerbot dashboard sessions")
    return kdf.derive(first.encode())


def cta_links(settings: Settings) -> CtaLinks | None:
    """Signed redirect links for calls to action, on PARTNERBOT_PUBLIC_URL, keyed (HKDF) from
    PARTNERBOT_SECRET_KEY — every key of its list verifies, the first signs. None without either:
    a link in a message lives for months, so it is never signed with a key that dies with the process."""
    public = settings.web().public_url.strip()
    keys = [key.strip() for key in settings.secret_key.split(",") if key.strip()]
    if not public or not keys:
        if public:
            log.warning(
                "PARTNERBOT_PUBLIC_URL is set but PARTNERBOT_SECRET_KEY is not: call-to-action clicks "
                "on Discord are counted through buttons, and digest links are not counted"
            )
        return None
    return CtaLinks(public, [_derive(key, b"partnerbot cta redirects") for key in keys])


def image_links(settings: Settings) -> ImageLinks | None:
    """Signed, expiring links to drafts' images (the Slack preview's image block) on
    PARTNERBOT_PUBLIC_URL, keyed (HKDF) from PARTNERBOT_SECRET_KEY; without a key, a random one: the
    links then work as long as the process that made them, enough for a preview. None without a
    public URL (the Slack preview then says so)."""
    public = settings.web().public_url.strip()
    if not public:
        return None
    keys = [key.strip() for key in settings.secret_key.split(",") if key.strip()]
    if not keys:
        return ImageLinks(public, [os.urandom(32)])
    return ImageLinks(public, [_derive(key, b"partnerbot preview images") for key in keys])


def _derive(key: str, info: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(key.encode())


def dashboard_app(app: App) -> web.Application:
    """The /dashboard/ application, wired to this process's core and database."""
    from adapters.web.app import build_dashboard
    from adapters.web.deps import DashboardDeps

    return build_dashboard(
        DashboardDeps(
            views=dashboard_views(app.engine),
            access=dashboard_access(app),
            bot=app.bot,
            admins=app.settings.admins(),
            clock=app.clock,
            settings=app.settings.web(),
            session_key=session_key(app.settings.secret_key),
            signins=platform_signins(app),
        )
    )


def platform_signins(app: App) -> PlatformSignIns:
    """Sign in with Slack (PARTNERBOT_DASHBOARD_SLACK_SIGNIN with SLACK_CLIENT_ID/SECRET) and with
    Discord (DISCORD_CLIENT_ID/SECRET), each when configured. Raises ValueError (one line) when Slack's
    is turned on without the app's credentials."""
    from adapters.web import oauth_discord, oauth_slack
    from adapters.web.signins import PlatformSignIns

    s = app.settings
    slack = None
    if s.dashboard_slack_signin:
        if not (s.slack_client_id and s.slack_client_secret):
            raise ValueError(
                "PARTNERBOT_DASHBOARD_SLACK_SIGNIN=true needs SLACK_CLIENT_ID and SLACK_CLIENT_SECRET "
                "(the Slack app's Basic Information page)"
            )
        slack = oauth_slack.SlackSignIn(
            client_id=s.slack_client_id,
            client_secret=s.slack_client_secret,
            api_url=s.slack_api_url or oauth_slack.DEFAULT_API_URL,
            bot_token=slack_bot_token(app),
        )
    discord = None
    if s.discord_client_id and s.discord_client_secret:
        discord = oauth_discord.DiscordSignIn(
            client_id=s.discord_client_id,
            client_secret=s.discord_client_secret,
            api_url=s.discord_api_url or oauth_discord.DEFAULT_API_URL,
            bot_token=s.discord_token,
        )
    return PlatformSignIns(slack=slack, discord=discord)


def slack_bot_token(app: App) -> Callable[[str], Awaitable[str | None]]:
    """A workspace's bot token (for the dashboard's admin user-group check): SLACK_BOT_TOKEN, or the
    workspace's installation in OAuth mode."""
    settings = app.settings

    async def token(team: str) -> str | None:
        if settings.slack_bot_token:
            return settings.slack_bot_token
        if not settings.slack_client_id:
            return None
        from storage.slack_oauth import TokenCipher, slack_installation_store

        store = slack_installation_store(
            app.engine, client_id=settings.slack_client_id, cipher=TokenCipher(settings.secret_key)
        )
        bot = await store.async_find_bot(enterprise_id=None, team_id=team)
        return bot.bot_token if bot is not None else None

    return token


def redirect_app(app: App) -> web.Application | None:
    """/r/<token>, the counted redirect of calls to action; None when links are not signed (no
    PARTNERBOT_PUBLIC_URL or no PARTNERBOT_SECRET_KEY): then nothing points at it."""
    if app.bot.ctas.links is None:
        return None
    from adapters.web.redirect import build_redirect

    return build_redirect(app.bot.cta_redirect)


def mount_redirect(root: web.Application, redirect: web.Application) -> None:
    from adapters.web.redirect import mount

    mount(root, redirect)


def preview_files_app(app: App) -> web.Application | None:
    """/f/<token>, drafts' images for the Slack preview; None without PARTNERBOT_PUBLIC_URL."""
    if app.bot.preview_images is None:
        return None
    from adapters.web.preview_files import build_preview_files

    return build_preview_files(app.bot.preview_image)


def mount_preview_files(root: web.Application, files: web.Application) -> None:
    from adapters.web.preview_files import mount

    mount(root, files)


def mount_dashboard(root: web.Application, dashboard: web.Application) -> None:
    from adapters.web.app import mount

    mount(root, dashboard)


async def serve_web(
    host: str,
    port: int,
    ops: Operations | None,
    dashboard: web.Application | None,
    *,
    redirect: web.Application | None = None,
    images: web.Application | None = None,
) -> web.AppRunner:
    """An HTTP server of the root's own: the dashboard, the CTA redirect (/r/), preview images (/f/),
    /healthz, and /metrics and /readyz if `ops`."""
    from aiohttp import web

    from bot.metrics import HEALTH_PATH

    root = web.Application()
    if dashboard is not None:
        mount_dashboard(root, dashboard)
    if redirect is not None:
        mount_redirect(root, redirect)
    if images is not None:
        mount_preview_files(root, images)
    if ops is not None:
        for path, handler in ops.routes().items():
            root.router.add_get(path, handler)
        root.router.add_get(HEALTH_PATH, ops.handle_health)
    else:
        root.router.add_get(HEALTH_PATH, _alive)
    runner = web.AppRunner(root, access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner


async def _alive(request: web.Request) -> web.StreamResponse:
    from aiohttp import web

    return web.json_response({"ok": True})


def listening_port(runner: web.AppRunner) -> int:
    """The port a server listens on (PARTNERBOT_HTTP_PORT=0 picks a free one)."""
    return int(runner.addresses[0][1])


async def serve_dashboard(settings: Settings, *, stop: asyncio.Event | None = None) -> None:
    """`partnerbot dashboard`: the dashboard alone (no chat adapter, no worker, no jobs). Answers typed
    in it are queued like chat answers; the worker of `partnerbot run` or `partnerbot worker` posts them."""
    app = await build_app(settings)
    stop = stop or _stop_on_signals()
    runner = await serve_web(
        settings.http_host, settings.http_port, None, dashboard_app(app), redirect=redirect_app(app)
    )
    try:
        log.info("dashboard on %s/dashboard/", settings.web().base_url(listening_port(runner)))
        await stop.wait()
    finally:
        await runner.cleanup()
        await app.close()


async def seal_slack_tokens(app: App, *, rotate: bool = False) -> int:
    """Encrypt the Slack tokens still stored in plain text (rows from before PARTNERBOT_SECRET_KEY was
    set, see migration 0012); with `rotate`, re-encrypt every token under the first key as well.
    Raises SecretKeyError (a ValueError: one line, exit 2) if a stored token opens with no key."""
    from storage.slack_oauth import TokenCipher, rewrite_stored_tokens

    cipher = TokenCipher(app.settings.secret_key)
    changed = await rewrite_stored_tokens(app.engine, cipher, mode="rotate" if rotate else "encrypt")
    if changed:
        log.info("encrypted the Slack tokens of %d stored installation rows", changed)
    return changed


class StartupError(Exception):
    """An adapter could not connect (bad token, platform unreachable, rate limited at log-in)."""


def _stop_on_signals() -> asyncio.Event:
    import signal

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def last_job_runs(settings: Settings) -> list[JobRun] | None:
    """The latest run of each periodic job, or None when the database is not reachable (or not
    created yet: `partnerbot jobs` must not create an empty SQLite file)."""
    url = make_url(settings.database_url)
    file = url.database if url.drivername.startswith("sqlite") and url.database != ":memory:" else None
    if file and not os.path.exists(file):
        return None
    engine = make_engine(settings.database_url)
    try:
        return await JobRunRepository(make_sessionmaker(engine)).latest()
    except Exception:  # unreachable, not migrated yet…: the listing works without it
        log.debug("job runs unavailable", exc_info=True)
        return None
    finally:
        await engine.dispose()
