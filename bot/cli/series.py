"""`partnerbot series list|start|pause|resume|end|edit` and `partnerbot calendar [--weeks N]`: the
chat's `series …` and `calendar` (bot/services/series.py, bot/services/calendar.py), with the same
use-cases and words; one-line errors, audited as "cli"."""

from __future__ import annotations

from typing import Annotated

import typer

from bot import commands as c
from bot import messages as m
from bot.app import App
from bot.cli import CliError, audit, load_settings, out, run_async, with_app
from bot.lexer import MAX_ID
from bot.presenter.series import calendar_reply, series_reply
from bot.results import Refused, SeriesResult

USAGE = 2
series_cli = typer.Typer(
    help='Recurring announcements (made in the chat with `broadcast … every:"…"`).', no_args_is_help=True
)
# The upper bound is the database's BIGINT: past it SQLite's driver raised OverflowError, a traceback.
SeriesId = Annotated[
    int, typer.Argument(help="The series' number (`partnerbot series list`).", min=1, max=MAX_ID)
]


def _print(text: str) -> None:
    out.print(text.replace("**", ""), markup=False, emoji=False, highlight=False, soft_wrap=True)


def _shown(result: SeriesResult) -> str:
    text = series_reply(result).text.replace("**", "")
    if isinstance(result, Refused):
        raise CliError(text)
    return text


@series_cli.command("list")
def list_() -> None:
    """Every series with its rule, state, next occurrence and what became of its latest one."""

    async def work(a: App) -> None:
        _print(_shown(await a.bot.series.listing()))

    run_async(lambda: with_app(load_settings(), work))


def _act(action: str, series_id: int) -> None:
    async def work(a: App) -> None:
        result = await a.bot.series.change(c.SeriesAction(action, series_id))
        text = _shown(result)
        await audit(a, "seriesaction", "series", action, str(series_id))
        _print(text)

    run_async(lambda: with_app(load_settings(), work))


@series_cli.command("start")
def start(series_id: SeriesId) -> None:
    """Start a draft series: its occurrences go out from the next one on."""
    _act("start", series_id)


@series_cli.command("pause")
def pause(series_id: SeriesId) -> None:
    """Hold a series: occurrences while it is paused are skipped."""
    _act("pause", series_id)


@series_cli.command("resume")
def resume(series_id: SeriesId) -> None:
    """Start a paused series again, from its next occurrence."""
    _act("resume", series_id)


@series_cli.command("end")
def end(series_id: SeriesId) -> None:
    """End a series for good (or discard a draft one)."""
    _act("end", series_id)


@series_cli.command("edit")
def edit(
    series_id: SeriesId,
    title: Annotated[str | None, typer.Option(help="The new headline.")] = None,
    body: Annotated[str | None, typer.Option(help="The new text.")] = None,
) -> None:
    """New text for the occurrences not drafted yet (those drafted keep theirs)."""
    title = title.strip() if title is not None else None
    body = body.strip() if body is not None else None
    if not title and not body:
        raise CliError("say what changes: --title and/or --body, neither empty", USAGE)
    if title and len(title) > c.MAX_TITLE:
        raise CliError(f"--title: {m.TITLE_TOO_LONG.format(length=len(title), max=c.MAX_TITLE)}", USAGE)
    if body and len(body) > c.MAX_BODY:
        raise CliError(f"--body: {m.BODY_TOO_LONG.format(length=len(body), max=c.MAX_BODY)}", USAGE)
    command = c.SeriesEdit(series_id, title=title or None, body=body or None)

    async def work(a: App) -> None:
        text = _shown(await a.bot.series.edit(command))
        options = [part for key, v in (("--title", title), ("--body", body)) if v for part in (key, v)]
        await audit(a, "seriesedit", "series", "edit", str(series_id), *options)
        _print(text)

    run_async(lambda: with_app(load_settings(), work))


def calendar(
    weeks: Annotated[
        int, typer.Option(help=f"How many weeks, from today (1 to {c.MAX_CALENDAR_WEEKS}).")
    ] = c.DEFAULT_CALENDAR_WEEKS,
) -> None:
    """What is scheduled and recurring per day (vendor time zone), with the days that have nothing."""
    if not 1 <= weeks <= c.MAX_CALENDAR_WEEKS:
        text = m.CALENDAR_WEEKS_INVALID.format(max=c.MAX_CALENDAR_WEEKS, value=weeks)
        raise CliError("--weeks: " + text.replace("`calendar 4`", "`--weeks 4`"), USAGE)

    async def work(a: App) -> None:
        text = calendar_reply(await a.bot.calendar.show(c.Calendar(weeks))).text
        # The gap lines' italics (`_…_`) mean nothing on a terminal; titles are shown as written.
        lines = [ln[1:-1] if ln.startswith("_") and ln.endswith("_") else ln for ln in text.splitlines()]
        _print("\n".join(lines))

    run_async(lambda: with_app(load_settings(), work))
