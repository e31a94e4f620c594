"""`partnerbot engagement [--csv FILE | --json]`: every partner's engagement score, streamed (the
figures of the chat's `engagement`, one row per partner, for PRMs and spreadsheets)."""

from __future__ import annotations

import csv
import json
import sys
from contextlib import ExitStack
from datetime import UTC
from pathlib import Path
from typing import Annotated, TextIO

import typer

from bot.app import App
from bot.cli import CliError, load_settings, run_async, with_app
from bot.domain.engagement import PartnerScore
from bot.safety import spreadsheet_safe

COLUMNS = (
    "name",
    "tier",
    "type",
    "region",
    "language",
    "score",
    "proactive",
    "reactive",
    "received",
    "last_action",
    "last_action_kind",  # added last, so the columns before keep their positions
)


def _row(score: PartnerScore) -> dict[str, str | int | float]:
    last = score.last_action.astimezone(UTC).isoformat() if score.last_action else ""
    return {
        "name": score.name,
        "tier": score.tier,
        "type": score.type,
        "region": score.region,
        "language": score.language,
        "score": score.score,
        "proactive": score.proactive,
        "reactive": score.reactive,
        "received": score.received,
        "last_action": last,
        "last_action_kind": score.last_action_kind.value if score.last_action_kind else "",
    }


def engagement(
    csv_file: Annotated[
        str | None, typer.Option("--csv", metavar="FILE", help="Write CSV to FILE (`-`: stdout).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per partner and line.")] = False,
) -> None:
    """Every partner's engagement score, best first (CSV on stdout by default)."""
    if csv_file is not None and as_json:
        raise CliError("choose one of --csv FILE and --json", 2)
    if csv_file is not None and not csv_file.strip():
        raise CliError("--csv needs a file name, or - for standard output", 2)
    with ExitStack() as stack:
        target: TextIO = sys.stdout
        if csv_file not in (None, "-"):
            try:
                target = stack.enter_context(Path(csv_file).open("w", newline="", encoding="utf-8"))
            except OSError as exc:
                raise CliError(f"cannot write {csv_file}: {exc.strerror}") from exc

        async def work(a: App) -> None:
            scores = a.bot.engagement.scores()
            if as_json:
                async for score in scores:
                    target.write(json.dumps(_row(score), ensure_ascii=False) + "\n")
                return
            writer = csv.DictWriter(target, fieldnames=COLUMNS, lineterminator="\n")
            writer.writeheader()
            async for score in scores:
                writer.writerow({k: spreadsheet_safe(v) for k, v in _row(score).items()})

        run_async(lambda: with_app(load_settings(), work))
