"""The lines `partnerbot files gc` prints: one per file, largest first, then a total in real plurals."""

from __future__ import annotations

from bot.cli.files import report_lines
from bot.domain.files import FilesCollected, UnusedFile, UnusedWhy

PNG = UnusedFile(
    "a" * 64, 72, UnusedWhy.CLOSED, ("shot.png", "shot-2.png"), ((2, "cancelled"), (5, "recalled"))
)
STRAY = UnusedFile("b" * 64, 2048, UnusedWhy.UNTRACKED)
PARTIAL = UnusedFile("cc/.incoming-x1", 1, UnusedWhy.INCOMPLETE)


def test_each_file_says_why_largest_first() -> None:
    assert report_lines(FilesCollected((PNG, PARTIAL, STRAY), dry_run=False)) == [
        f"removed {'b' * 64} (2 KB): stored for a draft that was never saved",
        f"removed {'a' * 64} (72 bytes): “shot.png”, “shot-2.png”, carried only by #2 (cancelled), "
        "#5 (recalled)",
        "removed cc/.incoming-x1 (1 byte): left by an interrupted write",
        "Removed 3 unused files (2.1 KB).",
    ]


def test_a_dry_run_says_would_and_one_file_is_singular() -> None:
    unlinked = UnusedFile("d" * 64, 1, UnusedWhy.UNLINKED)
    assert report_lines(FilesCollected((unlinked,), dry_run=True)) == [
        f"would remove {'d' * 64} (1 byte): no announcement carries it (its drafts were discarded)",
        "Would remove 1 unused file (1 byte); run without --dry-run to remove it.",
    ]


def test_nothing_to_remove_is_one_sentence() -> None:
    assert report_lines(FilesCollected((), dry_run=False)) == [
        "No unused files: every stored file belongs to a live announcement."
    ]
