"""`partnerbot broadcast --every RULE [--until DATE]`: a recurring series from a script, as
`broadcast … every:"…"` makes one in the admin channel.

The core drafts the series and words its preview; the command then starts it (`series start`), so a
script gets what a one-off `partnerbot broadcast` gives: it happens unless `--dry-run`, which shows
the preview and deletes the draft series again. The checks on the input are `partnerbot broadcast`'s
(bot/cli/broadcast.py), and the refusals of what a series cannot carry are made there, before this runs.
"""

from __future__ import annotations

from bot import commands as c
from bot import messages as m
from bot.app import build_app
from bot.cli import CliError, out, warn
from bot.cli.broadcast_common import (
    FAILED,
    USAGE,
    Request,
    check_audience,
    check_reach,
    cli_invocation,
    delivery_warnings,
)
from bot.config import Settings
from bot.domain.conversation import Reply
from bot.presenter.series import SERIES_START_ACTION


async def run_series(settings: Settings, request: Request) -> None:
    app = await build_app(settings)
    try:
        command = request.command
        await check_audience(app, command.audience)
        reach = await check_reach(app, command)
        inv = await cli_invocation(app, request.admin)
        drafted = await app.bot.run_admin(inv, command)
        series_id = _series_id(drafted)
        if drafted.is_error or series_id is None:  # unknown topic, `until` before the first…
            raise CliError(_plain(drafted), USAGE)
        for line in delivery_warnings(app.settings, reach):
            warn(line)
        # The chat's closing line names `series start`/`series end`: here this command does one of them.
        _print(drafted, drop=m.SERIES_HOW.format(id=series_id))
        if request.dry_run:
            await app.stores.series.discard_draft(series_id)
            out.print("Dry run: nothing was started and nothing was kept.")
            return
        started = await app.bot.run_admin(inv, c.SeriesAction("start", series_id))
        if started.is_error:
            raise CliError(_plain(started), FAILED)
        _print(started)
    finally:
        await app.close()


def _series_id(reply: Reply) -> int | None:
    """The draft series' number, from the preview's Start button (what the adapters read too)."""
    for button in reply.buttons:
        if button.action == SERIES_START_ACTION:
            return int(button.value)
    return None


def _plain(reply: Reply) -> str:
    return reply.text.replace("**", "")


def _print(reply: Reply, *, drop: str = "") -> None:
    lines = [line for line in _plain(reply).splitlines() if not drop or line != drop]
    out.print("\n".join(lines), markup=False, emoji=False, highlight=False, soft_wrap=True)
