"""`partnerbot files gc [--dry-run]`: remove the stored files no live announcement carries
(bot/services/file_gc.py), printing each one; the files-gc job does the same every 6 hours."""

from __future__ import annotations

from typing import Annotated

import typer

from bot import messages as m
from bot.app import App
from bot.attachments import human_size
from bot.cli import CliError, load_settings, out, run_async, with_app
from bot.domain.files import FilesCollected, UnusedFile, UnusedWhy
from bot.services.file_gc import FileCollector, largest_first

files_cli = typer.Typer(help="Stored attachment files (PARTNERBOT_FILES_DIR).", no_args_is_help=True)


@files_cli.command("gc")
def gc(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only list what would be removed; remove nothing.")
    ] = False,
) -> None:
    """Remove the stored files no draft, scheduled, sending or sent announcement carries (only
    cancelled or recalled ones did, their drafts were discarded, or a draft was never saved)."""
    settings = load_settings()

    async def work(a: App) -> FilesCollected:
        collector = FileCollector(a.stores.file_usage, a.files, a.clock)
        try:
            return await collector.collect(dry_run=dry_run)
        except OSError as exc:
            raise CliError(f"cannot clean up {settings.files_dir}: {exc.strerror or exc}") from exc

    collected = run_async(lambda: with_app(settings, work))
    for line in report_lines(collected):
        out.print(line, markup=False, highlight=False, emoji=False, soft_wrap=True)


def report_lines(collected: FilesCollected) -> list[str]:
    """One line per file (largest first), then the total; one sentence when there is nothing."""
    if not collected.removed:
        return [m.FILES_GC_NONE]
    action = m.FILES_GC_WOULD if collected.dry_run else m.FILES_GC_ACTION
    lines = [
        m.FILES_GC_LINE.format(action=action, key=f.key, size=human_size(f.size), why=why(f))
        for f in largest_first(collected)
    ]
    total = m.FILES_GC_WOULD_REMOVE if collected.dry_run else m.FILES_GC_REMOVED
    lines.append(total(len(collected.removed), size=human_size(collected.size)))
    return lines


def why(f: UnusedFile) -> str:
    if f.why is not UnusedWhy.CLOSED:
        return m.FILES_GC_WHY[f.why.value]
    names = m.FILES_GC_NAMED.format(names="”, “".join(f.names)) if f.names else ""
    carried = ", ".join(
        m.FILES_GC_ANNOUNCEMENT.format(id=i, state=m.STATUS_NAMES.get(status, status))
        for i, status in f.announcements
    )
    return m.FILES_GC_WHY[f.why.value].format(names=names, announcements=carried)
