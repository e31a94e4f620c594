"""`partnerbot files gc [--dry-run]` as a shell runs it: one line per file and a total, nothing
removed in a dry run, a sentence when there is nothing, and a one-line error with a non-zero exit."""

from __future__ import annotations

import hashlib
import os
import sys
import time
from pathlib import Path

import pytest

from bot import messages as m
from bot.cli import main
from bot.services.file_gc import GRACE
from storage.files import FilesystemFileStore
from tests.e2e.test_cli_broadcast import Result
from tests.e2e.test_cli_partners import seeded as seeded

STRAY = b"stored for a draft never saved"


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    monkeypatch.setattr(sys, "argv", ["partnerbot", "files", *args])
    code = 0
    try:
        main()
    except SystemExit as exited:
        code = int(exited.code or 0)
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


@pytest.fixture
def stray(seeded: str, tmp_path: Path) -> Path:
    """Bytes in the default PARTNERBOT_FILES_DIR (./partnerbot-files) no announcement carries, old enough."""
    digest = hashlib.sha256(STRAY).hexdigest()
    path = tmp_path / "partnerbot-files" / digest[:2] / digest[2:]
    path.parent.mkdir(parents=True)
    path.write_bytes(STRAY)
    old = time.time() - GRACE.total_seconds() - 60
    os.utime(path, (old, old))
    return path


def test_a_dry_run_lists_and_the_real_run_removes(
    stray: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    key = stray.parent.name + stray.name
    line = m.FILES_GC_LINE.format(key=key, size="30 bytes", why=m.FILES_GC_WHY["untracked"], action="{}")

    dry = run(monkeypatch, capsys, "gc", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines() == [
        line.format(m.FILES_GC_WOULD),
        "Would remove 1 unused file (30 bytes); run without --dry-run to remove it.",
    ]
    assert stray.exists()

    done = run(monkeypatch, capsys, "gc")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [line.format(m.FILES_GC_ACTION), "Removed 1 unused file (30 bytes)."]
    assert not stray.exists()

    nothing = run(monkeypatch, capsys, "gc")
    assert nothing.returncode == 0 and nothing.stdout.strip() == m.FILES_GC_NONE


def test_a_file_that_cannot_be_removed_is_one_line(
    stray: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(self: FilesystemFileStore, key: str, unless_after: float) -> bool:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(FilesystemFileStore, "_remove", refuse)
    result = run(monkeypatch, capsys, "gc")
    assert result.returncode == 1
    assert result.said == "partnerbot: cannot clean up ./partnerbot-files: Permission denied"
    assert "Traceback" not in result.stderr and stray.exists()
