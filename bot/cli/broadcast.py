"""`partnerbot broadcast`: an announcement from a script, sent through the core as an admin sends one.

The options become the typed `Broadcast` the Slack modal and the Discord command build; the core runs
it for an admin in an admin channel (draft and preview), then `Send`, so targeting, scheduling,
quiet hours and digests are the core's alone. With `--wait` the command follows the delivery
progress and helps deliver, like `partnerbot worker`, when Slack/Discord credentials are set.

Exit codes: 0 — queued, or with `--wait` every delivery sent (those held on purpose for a digest or
quiet hours go out later and do not count); 1 — deliveries failed for good, or the broadcast would
reach no channel; 2 — bad input or configuration, nothing created; 3 — `--timeout` ran out with
deliveries still pending (they go on elsewhere); 130 — interrupted.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import replace
from datetime import date
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot import commands as c
from bot import messages as m
from bot.app import App, PlatformAdapter, build_adapters, build_app
from bot.attachments import MAX_FILES
from bot.cli import CliError, err, load_settings, out, run_async, warn
from bot.cli.audiences import audience_name
from bot.cli.broadcast_common import (
    FAILED,
    INTERRUPTED,
    TIMED_OUT,
    USAGE,
    Request,
    check_audience,
    check_reach,
    cli_invocation,
    delivery_warnings,
)
from bot.cli.broadcast_series import run_series
from bot.cli.text_files import read_text
from bot.cli.variant_files import read_variants
from bot.commands import MAX_BODY, MAX_TITLE
from bot.config import Settings
from bot.domain import Audience, ChannelRef, DeliveryProgress, Invocation, NewFile, Platform
from bot.domain.cta import CallToAction, CtaRefused, parse_ctas
from bot.domain.series import Recurrence
from bot.lexer import as_slug, comma_list
from bot.ports import FileUnreadable
from bot.presenter.approvals import PENDING
from bot.presenter.refusals import cta_refused, refusal_reply
from bot.recurrence import parse_every, parse_until
from bot.when import At, parse_at
from storage.files import LocalFileReader

POLL_SECONDS = 0.5  # how often --wait reads the progress


Values = list[str] | None  # a repeatable option; each value may also list several, comma-separated


def broadcast(
    topic: Annotated[Values, typer.Option(help="A topic slug (required; repeatable).")] = None,
    title: Annotated[str | None, typer.Option(help="The headline partners see (required).")] = None,
    body: Annotated[str | None, typer.Option(help="The text of the announcement.")] = None,
    body_file: Annotated[str | None, typer.Option(help="Read the text from a file; - is stdin.")] = None,
    tier: Annotated[Values, typer.Option(help="Only partners in this tier (repeatable).")] = None,
    type_: Annotated[Values, typer.Option("--type", help="Only partners of this type (repeatable).")] = None,
    region: Annotated[Values, typer.Option(help="Only partners in this region (repeatable).")] = None,
    language: Annotated[Values, typer.Option(help="Only partners in this language (repeatable).")] = None,
    audience: Annotated[
        str | None,
        typer.Option(help="A saved audience (`partnerbot audiences list`), resolved when sent."),
    ] = None,
    urgent: Annotated[bool, typer.Option("--urgent", help="Skip quiet hours and digests.")] = False,
    ack: Annotated[bool, typer.Option("--ack", help="Partners must acknowledge (urgent only).")] = False,
    at: Annotated[
        str | None, typer.Option(help='Schedule it: "YYYY-MM-DD HH:MM", then optionally a zone or "local".')
    ] = None,
    cta: Annotated[
        list[str] | None,
        typer.Option(
            "--cta",
            help='A link button, "Label|https://…" (repeatable, up to 3, in order); clicks are counted.',
        ),
    ] = None,
    variant: Annotated[
        list[str] | None,
        typer.Option(
            "--variant",
            metavar="LANG=FILE",
            help="The text for partners of another language (repeatable), e.g. de=news.de.txt: the "
            "file's first line is the title, the lines after it the body; - is stdin (once in all).",
        ),
    ] = None,
    attach: Annotated[
        list[str] | None,
        typer.Option(
            help="A file to post with it (repeatable, up to 10); the preview refuses what a "
            "platform can't take."
        ),
    ] = None,
    every: Annotated[
        str | None,
        typer.Option(
            help='Repeat it: a recurring series, e.g. "monday 09:00", "month 1st 10:00 local" (the chat\'s '
            "every:); started at once unless --dry-run.",
        ),
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="With --every: the series' last date, YYYY-MM-DD.")
    ] = None,
    admin_channel: Annotated[
        str | None,
        typer.Option(help="slack:C… or discord:… where questions go; the first PARTNERBOT_ADMIN_CHANNELS."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the preview and reach; send nothing.")
    ] = False,
    wait: Annotated[
        bool, typer.Option("--wait", help="Follow the delivery to the end (exit 1 on failures).")
    ] = False,
    timeout: Annotated[
        float | None, typer.Option(help="With --wait: give up after this many seconds (exit 3).")
    ] = None,
) -> None:
    """Send an announcement from the command line, as an admin would from the admin channel."""
    settings = load_settings()
    _check_modes(at=at, dry_run=dry_run, wait=wait, timeout=timeout)
    if ack and not urgent:
        raise CliError("--ack asks partners to acknowledge an urgent announcement: add --urgent", USAGE)
    _check_series(every, until, at=at, wait=wait, attach=attach, variant=variant)
    _check_stdin_once(body_file, variant or [])
    when = _schedule(at)
    saved = _saved_audience(audience, tier, type_, region, language)
    command = c.Broadcast(
        _topics(topic or [], required=saved is None),
        _audience(tier, type_, region, language),
        _title(title),
        _body(body, body_file),
        urgent=urgent,
        ack_required=ack,
        send_at=when.wall if when else None,
        send_zone=when.zone if when else None,
        send_local=when.local if when else False,
        saved_audience=saved,
        ctas=_ctas(cta or []),
        variants=read_variants(variant or [], _read),
        every=_every(every),
        until=_until(until),
    )
    settings, admin = _admin_channel(settings, admin_channel)
    request = Request(command, admin, dry_run, wait, timeout, tuple(attach or ()))
    try:
        if command.every is not None:
            run_async(lambda: run_series(settings, request))
        else:
            run_async(lambda: _run(settings, request))
    except KeyboardInterrupt:
        raise CliError(
            "interrupted; what was queued goes on with any running `partnerbot run` or `partnerbot worker`",
            INTERRUPTED,
        ) from None


# --- checking the input (nothing is created before all of it is right) ----------------------------


def _check_modes(*, at: str | None, dry_run: bool, wait: bool, timeout: float | None) -> None:
    if dry_run and wait:
        raise CliError("--dry-run sends nothing, so there is nothing to --wait for", USAGE)
    if timeout is not None and not wait:
        raise CliError("--timeout only applies with --wait", USAGE)
    if timeout is not None and (math.isnan(timeout) or timeout <= 0):  # nan: no deadline is ever reached
        raise CliError("--timeout must be a positive number of seconds", USAGE)
    if at is not None and wait:
        # A scheduled broadcast goes out hours or days later: a command should not sit until then.
        raise CliError(
            "--wait cannot follow a scheduled (--at) broadcast; run `partnerbot stats <id>` once it is due",
            USAGE,
        )


def _check_series(
    every: str | None,
    until: str | None,
    *,
    at: str | None,
    wait: bool,
    attach: list[str] | None,
    variant: list[str] | None,
) -> None:
    """What a recurring series cannot be given, refused rather than dropped."""
    if every is None:
        if until is not None:
            raise CliError("--until ends a recurring series, so it goes with --every", USAGE)
        return
    if at is not None:
        raise CliError("--every and --at don't go together: a series goes out at its rule's time", USAGE)
    if wait:
        raise CliError(
            "--wait cannot follow a series (its occurrences go out over weeks); "
            "run `partnerbot series list` to see what became of each",
            USAGE,
        )
    if attach:
        raise CliError("a recurring series can't carry files: leave out --attach, or send a one-off", USAGE)
    if variant:
        raise CliError(
            "a recurring series has no translations yet: leave out --variant, or send a one-off", USAGE
        )


def _every(value: str | None) -> Recurrence | None:
    if value is None:
        return None
    rule = parse_every(value)
    if isinstance(rule, str):  # the grammar's sentence, written for `every:"…"`; the words are the same
        raise CliError(f"--every: {rule}", USAGE)
    return rule


def _until(value: str | None) -> date | None:
    if value is None:
        return None
    day = parse_until(value)
    if isinstance(day, str):
        raise CliError(f"--until: {day}", USAGE)
    return day


def _ctas(values: list[str]) -> tuple[CallToAction, ...]:
    """`--cta "Label|URL"`, each as written (a comma may be part of a URL: no comma lists here)."""
    ctas = parse_ctas(values)
    if isinstance(ctas, CtaRefused):
        refused = cta_refused(ctas, count=len(values))
        raise CliError("--cta: " + refusal_reply(refused).text.replace("*", ""), USAGE)
    return ctas


def _topics(values: list[str], *, required: bool = True) -> tuple[str, ...]:
    words = comma_list(values)
    if not words and not required:
        return ()  # a saved audience names them (or the core says it must be given)
    if not words:
        raise CliError("say which topics it is about with --topic <slug> (repeat it for several)", USAGE)
    slugs = []
    for word in words:
        slug = as_slug(word)
        if slug is None:
            raise CliError(f"{word!r} is not a topic slug (lower-case letters, digits, hyphens)", USAGE)
        slugs.append(slug)
    return tuple(dict.fromkeys(slugs))


def _title(value: str | None) -> str:
    title = (value or "").strip()
    if not title:
        raise CliError("give the announcement a headline with --title", USAGE)
    if len(title) > MAX_TITLE:
        raise CliError(f"the title is {len(title)} characters long; keep it to {MAX_TITLE} or fewer", USAGE)
    return title


def _body(text: str | None, file: str | None) -> str:
    if text is not None and file is not None:
        raise CliError("give the text with --body or --body-file, not both", USAGE)
    if file is not None:
        text = _read(file)
    body = (text or "").strip()
    if not body:
        raise CliError("the announcement has no text: give it with --body TEXT or --body-file PATH", USAGE)
    if len(body) > MAX_BODY:
        raise CliError(f"the text is {len(body)} characters long; the limit is {MAX_BODY}", USAGE)
    return body


def _check_stdin_once(body_file: str | None, variants: list[str]) -> None:
    """Standard input can be read once: the second `-` would read nothing and be refused as an empty
    file, which sends people looking for a problem with their file."""
    readers = ["--body-file -"] if body_file == "-" else []
    readers += [f"--variant {v.strip()}" for v in variants if v.partition("=")[2].strip() == "-"]
    if len(readers) > 1:
        raise CliError(
            f"{' and '.join(readers)} all read standard input, which can be read only once: "
            "give the others as files",
            USAGE,
        )


def _read(file: str) -> str:
    return read_text(file, code=USAGE)


def _audience(tier: Values, type_: Values, region: Values, language: Values) -> Audience:
    given = {"tier": tier, "type": type_, "region": region, "language": language}
    return Audience.of({key: [v.lower() for v in comma_list(values or [])] for key, values in given.items()})


def _saved_audience(name: str | None, *filters: Values) -> str | None:
    """`--audience NAME`: the saved audience's name; refused beside --tier, --type, --region or
    --language, which it would otherwise silently replace."""
    if name is None:
        return None
    if any(comma_list(values or []) for values in filters):
        raise CliError(
            "--audience is the whole audience: drop --tier, --type, --region and --language, or save an "
            "audience with them (`partnerbot audiences save`)",
            USAGE,
        )
    return audience_name(name, "--audience")


def _schedule(at: str | None) -> At | None:
    if at is None:
        return None
    parsed = parse_at(at)
    if isinstance(parsed, str):
        # The grammar's message, written for `at:"…"` in chat; the forms are the same for --at.
        raise CliError(f"--at: {parsed}", USAGE)
    return parsed


def _admin_channel(settings: Settings, chosen: str | None) -> tuple[Settings, ChannelRef]:
    """The admin channel to broadcast from, and the settings that make it one for this process.

    The core accepts admin commands only in a configured admin channel. With PARTNERBOT_ADMIN_CHANNELS
    unset (a script's machine may not have it), `--admin-channel` is that configuration for this
    command alone, with a warning; with it set, `--admin-channel` must be one of its channels."""
    configured = settings.admin_channels
    chosen = (chosen or "").strip() or (configured[0] if configured else None)
    if chosen is None:
        raise CliError(
            "no admin channel to broadcast from: pass --admin-channel slack:C… (or discord:…), "
            "or set PARTNERBOT_ADMIN_CHANNELS",
            USAGE,
        )
    platform, _, channel = chosen.partition(":")
    if platform not in (Platform.SLACK.value, Platform.DISCORD.value) or not channel:
        raise CliError(
            f"--admin-channel {chosen}: name it as platform:id, e.g. slack:C0ADMIN or discord:112233",
            USAGE,
        )
    if not configured:
        warn(m.CLI_ADMIN_CHANNEL_ON_TRUST.format(channel=chosen))
        settings = settings.model_copy(update={"admin_channels": (chosen,)})
    elif chosen not in configured:
        raise CliError(
            f"{chosen} is not an admin channel (PARTNERBOT_ADMIN_CHANNELS: "
            f"{', '.join(configured)}); partner questions are relayed there",
            USAGE,
        )
    return settings, ChannelRef(Platform(platform), "", channel)


# --- running it through the core -------------------------------------------------------------------


async def _run(settings: Settings, request: Request) -> None:
    app = await build_app(settings)
    adapters: list[PlatformAdapter] = []
    try:
        await check_audience(app, request.command.audience)
        if request.wait:
            adapters = _delivery_adapters(app)
        reach = await check_reach(app, request.command)
        if request.attach:
            request = replace(request, command=replace(request.command, files=await _files(request.attach)))
        inv = await cli_invocation(app, request.admin)
        draft = await _draft(app, inv, request)
        for line in delivery_warnings(app.settings, reach):
            warn(line)
        if request.dry_run:
            # The preview came from a real draft (the core's targeting, schedule and reach); delete it
            # again so that nothing is left behind: no cancelled announcement in `stats`, no row.
            await app.stores.announcements.discard_draft(draft)
            out.print("Dry run: nothing was sent and nothing was kept.")
            return
        sent = await app.bot.run_admin(inv, c.Send(draft))
        if sent.is_error:
            await app.stores.announcements.discard_draft(draft)
            raise CliError(sent.text, FAILED)
        if sent.refusal == PENDING:  # PARTNERBOT_APPROVAL: another admin approves it in the chat
            await app.bot.approval_notice(inv, draft)
            out.print(m.CLI_AWAITS_APPROVAL.format(id=draft), markup=False, emoji=False, soft_wrap=True)
            return
        out.print(sent.text, markup=False, emoji=False, soft_wrap=True)
        if request.wait:
            progress, timed_out = await _follow(app, adapters, draft, request.timeout)
            _summary(progress, timed_out=timed_out, timeout=request.timeout)
    finally:
        await app.close()  # stops the worker first: it may be sending through the adapters
        for adapter in adapters:
            await adapter.stop()


async def _files(paths: tuple[str, ...]) -> tuple[NewFile, ...]:
    """Every --attach file, read before anything is created; one line and exit 2 for one that
    cannot be read."""
    if len(paths) > MAX_FILES:
        raise CliError(
            f"{len(paths)} files given with --attach; an announcement carries at most {MAX_FILES}", USAGE
        )
    reader = LocalFileReader()
    files = []
    for path in paths:
        try:
            files.append(await reader.read(path=path))
        except FileUnreadable as exc:
            raise CliError(f"--attach {path}: {exc!s}", USAGE) from exc
    return tuple(files)


def _delivery_adapters(app: App) -> list[PlatformAdapter]:
    """The Senders `partnerbot worker` uses, built before anything is created: a bad configuration
    stops the command while nothing is queued yet."""
    try:
        return build_adapters(app, deliver_only=True)
    except ValueError as exc:  # an adapter's configuration error (e.g. SlackConfigError)
        raise CliError(f"configuration error — {exc!s}", USAGE) from exc


async def _draft(app: App, inv: Invocation, request: Request) -> int:
    """The core's `broadcast`: the draft's id; its preview printed on a dry run."""
    reply = await app.bot.run_admin(inv, request.command)
    if reply.is_error or reply.draft is None:
        # Unknown or archived topic, a time in the past…: refused before a draft was written; files a
        # platform can't take: refused in the draft's preview, and the draft is not kept.
        if reply.draft is not None:
            await app.stores.announcements.discard_draft(reply.draft.announcement_id)
        raise CliError(reply.text, USAGE)
    if request.dry_run:  # for reading: wrapped to the terminal
        out.print(reply.text, markup=False, emoji=False)
    return reply.draft.announcement_id


# --- --wait ------------------------------------------------------------------------------------------


async def _follow(
    app: App, adapters: list[PlatformAdapter], announcement_id: int, timeout: float | None
) -> tuple[DeliveryProgress, bool]:
    """Poll the progress until nothing is in flight (or the timeout): the progress, and whether it
    timed out. Meanwhile this process delivers too when it has Senders."""
    if not await _start_delivery(app, adapters) and adapters:
        # (With no credentials at all, the warning before the send already said so.)
        err.print(
            "No platform could be started here, so this command only waits: a running "
            "`partnerbot run` or `partnerbot worker` delivers.",
            markup=False,
        )
    deadline = None if timeout is None else time.monotonic() + timeout
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err) as bar:
        task = bar.add_task("queued", total=None)
        while True:
            progress = await app.bot.analytics.progress(announcement_id, now=app.clock.now())
            bar.update(task, total=progress.total, completed=progress.done, description=_counts(progress))
            if not progress.in_flight:
                return progress, False
            if deadline is not None and time.monotonic() >= deadline:
                return progress, True
            await asyncio.sleep(POLL_SECONDS)


async def _start_delivery(app: App, adapters: list[PlatformAdapter]) -> list[Platform]:
    """Start the Senders and the delivery worker (no jobs): the platforms this process sends to."""
    started = []
    for adapter in adapters:
        try:
            await adapter.start()
        except Exception as exc:  # e.g. a rejected token: the rows stay queued for other processes
            err.print(f"cannot deliver to {adapter.platform.value} from here: {exc}", markup=False)
            continue
        app.worker.add_sender(adapter.platform, adapter.sender)
        started.append(adapter.platform)
    if started:
        app.start_background(jobs=False)
    return started


def _counts(p: DeliveryProgress) -> str:
    held = f" · held {p.held}" if p.held else ""
    return f"sent {p.sent} · pending {p.pending} · failed {p.failed}{held}"


def _summary(p: DeliveryProgress, *, timed_out: bool, timeout: float | None) -> None:
    out.print(f"Announcement #{p.announcement_id}: {_counts(p)} of {m.DELIVERIES(p.total)}.")
    if p.held:
        held = m.DELIVERIES(p.held)
        out.print(f"{held} held on purpose (a digest, quiet hours) will go out later; nothing to do.")
    if p.withdrawn:
        out.print(f"{m.DELIVERIES(p.withdrawn)} withdrawn: the announcement was recalled.")
    if p.failures_by_reason:
        out.print("Failed for good, by reason:")
        for reason, count in p.failures_by_reason:
            out.print(f"  {count:>5}  {reason}", markup=False, emoji=False)
    if timed_out:
        raise CliError(
            f"stopped waiting after {timeout:g} s with {m.DELIVERIES(p.pending)} pending; they go on with "
            "any running `partnerbot run` or `partnerbot worker`",
            TIMED_OUT,
        )
    if p.failed:
        raise CliError(f"{p.failed} of {m.DELIVERIES(p.total)} failed for good (reasons above)", FAILED)
