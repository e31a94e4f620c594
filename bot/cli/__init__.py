"""The `partnerbot` command line (Typer + Rich). Like bot/app.py it may know every part."""

from __future__ import annotations

import asyncio
import getpass
import json
import logging
import shlex
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from adapters.similarity.loader import EncoderUnavailable
from bot import messages as m
from bot.app import App, build_app, last_job_runs
from bot.cli.discord import discord_cli as discord_commands
from bot.cli.loops import LoopFactory
from bot.cli.render import fitting_table, keep_whole
from bot.config import Settings
from bot.domain import AnnouncementStats, Platform, UserRef
from bot.i18n import Plural
from bot.jobs import JOBS
from bot.lexer import MAX_ID
from bot.ports import TopicAlreadyExists
from storage import migrate

app = typer.Typer(
    help="partnerbot: two-way vendor-to-partner announcements in Slack and Discord.",
    no_args_is_help=True,
    add_completion=False,
)
topics_cli = typer.Typer(help="Manage topics.", no_args_is_help=True)
partners_cli = typer.Typer(help="Manage partners.", no_args_is_help=True)
db_cli = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(topics_cli, name="topics")
app.add_typer(partners_cli, name="partners")
app.add_typer(db_cli, name="db")
app.add_typer(discord_commands, name="discord")

out = Console()
err = Console(stderr=True)
T = TypeVar("T")
PROBLEMS = Plural(
    "Nothing was imported: fix the problem above and run it again.",
    "Nothing was imported: fix the {n} problems above and run it again.",
)
IMPORTED = Plural("Imported {n} new partner", "Imported {n} new partners")
UPDATED = Plural("updated {n} existing partner", "updated {n} existing partners")


class CliError(Exception):
    """A failure to report in one friendly line, with a non-zero exit."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def warn(text: str) -> None:
    """A warning on stderr: one line however wide the terminal, the text as written (no markup)."""
    from bot import messages as m

    err.print(f"[yellow]{m.CLI_WARNING}[/yellow]", end="")
    err.print(text, markup=False, highlight=False, soft_wrap=True)


# The setting that lets a process deliver to each platform, for warnings that name the fix.
PLATFORM_SETTINGS = {"slack": ("Slack", "SLACK_BOT_TOKEN"), "discord": ("Discord", "DISCORD_TOKEN")}


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise CliError(f"configuration error — {problems} (see .env.example)", 2) from exc


def _log_to_stderr(log_format: str = "text") -> None:
    """Long-running commands log to stderr (level from PARTNERBOT_LOG_LEVEL, INFO by default; format
    from PARTNERBOT_LOG_FORMAT, read by Settings)."""
    import os

    level = os.environ.get("PARTNERBOT_LOG_LEVEL", "INFO").upper()
    handler = logging.StreamHandler()
    handler.setFormatter(log_formatter(log_format))
    logging.basicConfig(
        level=level if level in logging.getLevelNamesMapping() else logging.INFO, handlers=[handler]
    )


def log_formatter(kind: str) -> logging.Formatter:
    """PARTNERBOT_LOG_FORMAT: `json` writes one JSON object per line (python-json-logger), with the
    `extra=` fields a log call adds (announcement_id, delivery_id…); anything else, plain text."""
    if kind == "json":
        from pythonjsonlogger.json import JsonFormatter

        return JsonFormatter(
            "{asctime}{levelname}{name}{message}",
            style="{",
            rename_fields={"levelname": "level", "name": "logger", "asctime": "time"},
        )
    return logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")


def run_async(work: Callable[[], Awaitable[T]], *, loop: LoopFactory | None = None) -> T:
    """Run `work` in a new event loop (`loop`'s, else asyncio's), database and model errors in one line."""
    try:
        with asyncio.Runner(loop_factory=loop) as runner:
            return runner.run(work())  # type: ignore[arg-type]
    except CliError:
        raise
    except EncoderUnavailable as exc:  # PARTNERBOT_SIMILARITY=embeddings that cannot load its model
        raise CliError(f"configuration error — {exc}", 2) from exc
    except OperationalError as exc:
        raise CliError(f"cannot use the database: {exc.orig}. Check PARTNERBOT_DATABASE_URL.") from exc
    except SQLAlchemyError as exc:
        raise CliError(f"database error: {db_reason(exc)}") from exc


def db_reason(exc: SQLAlchemyError) -> str:
    """What went wrong, in one line: the driver's own message, without the statement and the
    "(Background on this error at: https://sqlalche.me/…)" line SQLAlchemy adds below it."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        return str(exc.orig).strip() or type(exc.orig).__name__
    return str(exc).strip().splitlines()[0]


async def with_app(settings: Settings, work: Callable[[App], Awaitable[T]]) -> T:
    application = await build_app(settings)
    try:
        return await work(application)
    finally:
        await application.close()


# Where the audit log says a command-line action happened.
CLI_WHERE = "cli"


def operator() -> UserRef:
    """Whoever runs the CLI, as the audit log names them: their login on this machine."""
    try:
        login = getpass.getuser()
    except (OSError, KeyError):  # no login name in this environment (a bare container)
        login = "operator"
    return UserRef(Platform.LOCAL, "", f"cli:{login}"[:64], f"{login} (partnerbot CLI)")


async def audit(a: App, action: str, *command: str, outcome: str = "") -> None:
    """Record an admin action done from the command line: who (the operator), what (`action`, named
    as the chat's own, and the command as typed), when, where ("cli")."""
    detail = shlex.join(["partnerbot", *command]) + (f": {outcome}" if outcome else "")
    await a.stores.audit.record(
        user=operator(), channel=CLI_WHERE, action=action, detail=detail, allowed=True, now=a.clock.now()
    )


# --- run -------------------------------------------------------------------------------------


@app.command()
def run() -> None:
    """Start every adapter whose credentials are configured, the delivery worker and the scheduler."""
    settings = load_settings()
    platforms = settings.configured_platforms()
    if not platforms:
        raise CliError(
            "no chat platform is configured, so there is nothing to run.\n"
            "  • Slack: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_CLIENT_ID/SECRET for OAuth)\n"
            "  • Discord: set DISCORD_TOKEN\n"
            "in the environment or a .env file (see .env.example). To try partnerbot without any token, "
            "run `partnerbot console` or `partnerbot demo`.",
            2,
        )
    _check_secret_key(settings)
    _admin_channel_warnings(settings)
    _serve(settings, deliver_only=False)


def _admin_channel_warnings(settings: Settings) -> None:
    """Say so when admins would have no channel, or one on a platform this process does not serve."""
    from bot import messages as m

    configured = {p.value for p in settings.configured_platforms()}
    if not settings.admin_channels:
        example = "discord:112233" if configured == {"discord"} else "slack:C0ADMIN"
        warn(m.CLI_NO_ADMIN_CHANNELS.format(example=example))
    for channel in settings.admin_channels:
        platform = channel.partition(":")[0]
        if platform in PLATFORM_SETTINGS and platform not in configured:
            name, setting = PLATFORM_SETTINGS[platform]
            warn(m.CLI_ADMIN_CHANNEL_UNREACHABLE.format(channel=channel, platform=name, setting=setting))


@app.command()
def worker() -> None:
    """Deliver only: claim and send queued deliveries, digests, notices and relays; no events, no jobs.

    Run as many as you need next to `partnerbot run` on one PostgreSQL database: they share the work
    (FOR UPDATE SKIP LOCKED with leases) and, on PostgreSQL, the platforms' rate limits. Set
    PARTNERBOT_METRICS_PORT to serve /metrics, /readyz and /healthz for it."""
    settings = load_settings()
    if not settings.configured_platforms():
        raise CliError(
            "no chat platform is configured, so a worker would have nothing to send with: set "
            "SLACK_BOT_TOKEN (or SLACK_CLIENT_ID/SECRET) and/or DISCORD_TOKEN, as for `partnerbot run`.",
            2,
        )
    _check_secret_key(settings)
    _serve(settings, deliver_only=True)


def _check_secret_key(settings: Settings) -> None:
    """OAuth mode stores bot tokens encrypted: refuse to start without a usable PARTNERBOT_SECRET_KEY."""
    from storage.slack_oauth import SecretKeyError, TokenCipher

    if not settings.slack_client_id:
        return
    if not settings.secret_key.strip(" ,"):
        raise CliError(m.CLI_SECRET_KEY_MISSING, 2)
    try:
        TokenCipher(settings.secret_key)
    except SecretKeyError as exc:
        raise CliError(f"configuration error — {exc}", 2) from exc


def _serve(settings: Settings, *, deliver_only: bool) -> None:
    from bot.app import StartupError
    from bot.cli.loops import EventLoopUnavailable, loop_factory, loop_name
    from bot.cli.processes import DeliveryProcesses, ProcessesRefused, check_processes, serve_processes

    try:
        factory = loop_factory(settings.event_loop)
        check_processes(settings)
    except (EventLoopUnavailable, ProcessesRefused) as exc:
        raise CliError(str(exc), 2) from exc
    _log_to_stderr(settings.log_format)
    logging.getLogger(__name__).info(
        "event loop: %s; delivery processes: %d", loop_name(factory), settings.worker_processes
    )
    extra = DeliveryProcesses(settings, setup_logging=_log_to_stderr)
    try:
        run_async(lambda: serve_processes(settings, deliver_only=deliver_only, extra=extra), loop=factory)
    except ValueError as exc:  # an adapter's configuration error (e.g. SlackConfigError): one line
        raise CliError(f"configuration error — {exc}", 2) from exc
    except StartupError as exc:
        # A supervisor (systemd, Kubernetes) restarts it; the line says what to check meanwhile.
        raise CliError(
            f"could not start — {exc}. Check the token and that the platform is reachable; "
            "nothing was claimed, so nothing is lost."
        ) from exc
    if extra.failure is not None:
        raise CliError(extra.failure)


# --- database ----------------------------------------------------------------------------------


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations (also done on every start)."""
    from storage.slack_oauth import SecretKeyError

    settings = load_settings()
    try:
        migrate.upgrade(settings.database_url, secret_key=settings.secret_key)
        revision = migrate.current(settings.database_url)
    except SecretKeyError as exc:
        raise CliError(f"configuration error — {exc}", 2) from exc
    except SQLAlchemyError as exc:
        raise CliError(
            f"cannot migrate the database: {db_reason(exc)}. Check PARTNERBOT_DATABASE_URL."
        ) from exc
    out.print(f"Database is at revision [bold]{revision}[/bold].")


@db_cli.command("rotate-key")
def db_rotate_key() -> None:
    """Re-encrypt every stored Slack token under the first key of PARTNERBOT_SECRET_KEY.

    Rotate by putting a new key first (PARTNERBOT_SECRET_KEY=new,old), running this, then dropping the
    old key once every process runs with the new list."""
    from bot.app import seal_slack_tokens
    from storage.slack_oauth import SecretKeyError

    settings = load_settings()
    if not settings.secret_key.strip(" ,"):
        raise CliError(m.CLI_SECRET_KEY_MISSING, 2)

    async def work(a: App) -> int:
        changed = await seal_slack_tokens(a, rotate=True)
        await audit(a, "rotatekey", "db", "rotate-key", outcome=m.CLI_KEY_ROTATED(changed))
        return changed

    try:
        changed = run_async(lambda: with_app(settings, work))
    except SecretKeyError as exc:
        raise CliError(f"configuration error — {exc}", 2) from exc
    out.print(m.CLI_KEY_ROTATED(changed), soft_wrap=True)


# --- topics ------------------------------------------------------------------------------------


@topics_cli.command("add")
def topics_add(
    slug: str,
    title: str,
    description: Annotated[str, typer.Option(help="One line shown under the topic.")] = "",
) -> None:
    """Add a topic partners can subscribe to."""
    from bot.lexer import SLUG

    if not SLUG.fullmatch(slug):
        raise CliError(
            f"{slug!r} is not a valid slug: lower-case letters, digits and hyphens (e.g. release-notes)"
        )
    if not title.strip():  # the chat's `topic add` refuses it too: a topic is listed by its title
        raise CliError(f'the topic needs a title, e.g. partnerbot topics add {slug} "Release notes"')

    async def work(a: App) -> None:
        try:
            topic = await a.stores.topics.add(
                slug=slug, title=title, description=description, now=a.clock.now()
            )
        except TopicAlreadyExists as exc:
            raise CliError(f"a topic {slug!r} already exists") from exc
        given = ["--description", description] if description else []
        await audit(a, "topicadd", "topics", "add", slug, title, *given)
        out.print(f"Added topic [bold]{topic.slug}[/bold] — {escape(topic.title)}")

    run_async(lambda: with_app(load_settings(), work))


@topics_cli.command("list")
def topics_list(archived: Annotated[bool, typer.Option(help="Include archived topics.")] = False) -> None:
    """List topics."""

    async def work(a: App) -> None:
        table = fitting_table("slug", "title", "description", "archived")
        for t in await a.stores.topics.all(include_archived=archived):
            table.add_row(t.slug, t.title, t.description, "yes" if t.archived else "")
        out.print(keep_whole(table, out.width, "slug"))

    run_async(lambda: with_app(load_settings(), work))


@topics_cli.command("archive")
def topics_archive(slug: Annotated[str, typer.Argument(help="The topic's slug.")]) -> None:
    """Archive a topic: partners no longer see it and broadcasts can't target it (subscriptions stay)."""
    _set_archived(slug, archived=True)


@topics_cli.command("unarchive")
def topics_unarchive(slug: Annotated[str, typer.Argument(help="The topic's slug.")]) -> None:
    """Bring an archived topic back."""
    _set_archived(slug, archived=False)


def _set_archived(slug: str, *, archived: bool) -> None:
    async def work(a: App) -> None:
        was = await a.stores.topics.set_archived(slug, archived=archived)
        if was is None:
            raise CliError(f"there is no topic {slug!r}; `partnerbot topics list --archived` lists them all")
        verb = "archive" if archived else "unarchive"
        await audit(a, f"topic{verb}", "topics", verb, slug)
        if was == archived:  # as the chat's `topic unarchive` says it: not "unarchived"
            state = "is already archived" if archived else "isn't archived"
            out.print(f"Topic [bold]{slug}[/bold] {state}; nothing changed.")
            return
        out.print(f"Topic [bold]{slug}[/bold] {'archived' if archived else 'unarchived'}.")

    run_async(lambda: with_app(load_settings(), work))


# --- partners ----------------------------------------------------------------------------------


@partners_cli.command("import")
def partners_import(
    file: Annotated[Path, typer.Argument(help="CSV with a header row (commas, semicolons or tabs).")],
    update: Annotated[
        bool, typer.Option("--update", help="Update partners that exist instead of refusing them.")
    ] = False,
) -> None:
    """Import partners and their channels from CSV: every row is checked; all rows or none."""
    from bot.cli.text_files import read_text

    text = read_text(str(file), code=1)

    async def work(a: App) -> None:
        report = await a.bot.roster_import.import_csv(text, update=update)
        if not report.ok:
            for line in report.errors[:50]:
                err.print("[red]✗[/red] ", end="")
                err.print(line, markup=False, highlight=False)
            more = len(report.errors) - 50
            raise CliError(
                (f"…and {m.PROBLEMS(more)} more. " if more > 0 else "") + PROBLEMS(len(report.errors))
            )
        done = [IMPORTED(report.partners)] if report.partners or not report.updated else []
        done += [UPDATED(report.updated)] if report.updated else []
        summary = "; ".join(done)
        outcome = f"{summary[0].upper()}{summary[1:]} ({m.CHANNELS(report.channels)})."
        await audit(
            a,
            "partnersimport",
            "partners",
            "import",
            str(file),
            *(["--update"] if update else []),
            outcome=outcome,
        )
        out.print(outcome)

    run_async(lambda: with_app(load_settings(), work))


@partners_cli.command("list")
def partners_list(
    tier: Annotated[list[str] | None, typer.Option(help="Only this tier (repeatable).")] = None,
    type_: Annotated[list[str] | None, typer.Option("--type", help="Only this type (repeatable).")] = None,
    region: Annotated[list[str] | None, typer.Option(help="Only this region (repeatable).")] = None,
    topic: Annotated[
        list[str] | None, typer.Option(help="Only partners with an active channel following it.")
    ] = None,
) -> None:
    """List partners with their tier, type, region and number of active channels."""
    from bot.cli.partners import partner_filter

    async def work(a: App) -> None:
        where = await partner_filter(a, tier, type_, region, topic)
        table = fitting_table("name", "tier", "type", "region", "language", "timezone", "channels")
        for partner, channels in await a.stores.directory.partners(where):
            table.add_row(
                partner.name,
                partner.tier,
                partner.type,
                partner.region,
                partner.language,
                partner.timezone,
                str(channels),
            )
        out.print(keep_whole(table, out.width, "tier", "type", "region", "language"))

    run_async(lambda: with_app(load_settings(), work))


# --- stats -------------------------------------------------------------------------------------


@app.command()
def stats(
    announcement_id: Annotated[
        int | None, typer.Argument(help="One announcement; all recent ones if omitted.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    csv_file: Annotated[
        str | None,
        typer.Option(
            "--csv", metavar="FILE", help="Write one CSV row per announcement to FILE (`-`: standard output)."
        ),
    ] = None,
) -> None:
    """Reach and engagement per announcement (and per topic)."""
    from bot.cli.render import stats_json, stats_tables

    if as_json and csv_file is not None:
        raise CliError("--json and --csv cannot be combined: pick one", 2)
    if csv_file is not None and not csv_file.strip():
        raise CliError("--csv needs a file name, or - for standard output", 2)

    async def work(a: App) -> None:
        if announcement_id is not None:
            # An id past what the database's BIGINT holds is no announcement either (SQLite's driver
            # raised OverflowError for it, a traceback).
            in_range = 1 <= announcement_id <= MAX_ID
            one = await a.bot.analytics.announcement(announcement_id) if in_range else None
            if one is None:
                raise CliError(f"there is no announcement #{announcement_id}")
            found = [one]
        else:
            found = await a.bot.analytics.recent()
        if csv_file is not None:
            _write_stats_csv(found, csv_file)
            return
        topics = await a.bot.analytics.topics()
        if as_json:
            sys.stdout.write(json.dumps(stats_json(found, topics), indent=2) + "\n")
        elif not found:
            out.print(m.NO_ANNOUNCEMENTS_YET, markup=False, highlight=False)
        else:
            for table, keep in zip(stats_tables(found, topics), ("#", "topic", "topic"), strict=True):
                out.print(keep_whole(table, out.width, keep))

    run_async(lambda: with_app(load_settings(), work))


def _write_stats_csv(found: list[AnnouncementStats], target: str) -> None:
    from bot.cli.render import write_stats_csv

    if target == "-":
        write_stats_csv(found, sys.stdout)
        return
    try:
        with open(target, "w", encoding="utf-8", newline="") as stream:
            write_stats_csv(found, stream)
    except OSError as exc:
        raise CliError(f"cannot write {target}: {exc.strerror or exc}") from exc
    out.print(m.CLI_STATS_CSV_WRITTEN(len(found), file=target), markup=False, highlight=False, soft_wrap=True)


@app.command()
def jobs() -> None:
    """List the periodic jobs the scheduler runs, with each one's last run when the database is there."""
    settings = load_settings()
    runs = {run.job: run for run in asyncio.run(last_job_runs(settings)) or []}
    table = fitting_table("job", "schedule", "what it does", "last run")
    for name, job in JOBS.items():
        run = runs.get(name)
        last = (
            f"{run.period} · {run.status} · {run.started_at:%Y-%m-%d %H:%M} UTC\n{run.detail}" if run else "—"
        )
        table.add_row(name, job.schedule(settings), job.description, last)
    out.print(keep_whole(table, out.width, "job", "schedule"))


# --- console and demo ------------------------------------------------------------------------


@app.command()
def console(
    admin_channel: Annotated[str, typer.Option(help="Name of the local admin channel.")] = "admin",
    admin: Annotated[str, typer.Option(help="Name of the local admin user.")] = "admin",
    db: Annotated[
        Path,
        typer.Option(help="The console's own SQLite file (never the `run` database); created if missing."),
    ] = Path("partnerbot-console.db"),
) -> None:
    """An interactive shell on the local adapter: be a partner or an admin, no token needed."""
    from bot.cli.console import run_console

    if not db.parent.is_dir():
        raise CliError(f"{db.parent} is not a directory: give --db a file in an existing directory")
    if db.is_dir():
        raise CliError(f"{db} is a directory: give --db a file name, e.g. {db / 'partnerbot-console.db'}")
    run_async(lambda: run_console(load_settings(), admin_channel=admin_channel, admin=admin, db=db))


@app.command()
def demo(
    db: Annotated[
        Path | None, typer.Option(help="Keep the demo database at this path (default: a temp file).")
    ] = None,
) -> None:
    """Play a realistic scenario end to end on a fresh SQLite file through the local adapter."""
    from bot.cli.demo import run_demo

    if db is not None and db.exists():
        raise CliError(f"{db} already exists; the demo needs a fresh file (delete it or pick another path)")
    if db is not None and not db.parent.is_dir():  # else SQLite's "unable to open" and a wrong hint
        raise CliError(f"{db.parent} is not a directory: give --db a file in an existing directory")
    run_async(lambda: run_demo(db, out))


# In its own module, which uses the helpers above.
from bot.cli.audiences import audiences_cli  # noqa: E402
from bot.cli.broadcast import broadcast  # noqa: E402
from bot.cli.dashboard import dashboard_cli  # noqa: E402
from bot.cli.engagement import engagement  # noqa: E402
from bot.cli.files import files_cli  # noqa: E402
from bot.cli.partners import register as register_partners  # noqa: E402
from bot.cli.series import calendar, series_cli  # noqa: E402

app.command()(broadcast)
app.command()(engagement)
register_partners(partners_cli)
app.add_typer(dashboard_cli, name="dashboard")
app.add_typer(audiences_cli, name="audiences")
app.add_typer(files_cli, name="files")
app.add_typer(series_cli, name="series")
app.command()(calendar)


def main() -> None:
    try:
        app()
    except CliError as exc:
        # One line however wide the terminal (or a log file), and the text as written: no markup.
        err.print("[red]partnerbot:[/red] ", end="")
        err.print(str(exc), markup=False, highlight=False, soft_wrap=True)
        sys.exit(exc.code)
