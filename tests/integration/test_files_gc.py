"""Collecting unused files (`partnerbot files gc`, the files-gc job), on SQLite and PostgreSQL: the bytes
of cancelled, recalled and discarded announcements' files, of drafts never saved and of interrupted
writes go; a live announcement's files never do, whoever else carried them; a dry run removes nothing."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import messages as m
from bot.attachments import human_size
from bot.domain.files import UnusedWhy
from bot.jobs import run_job
from bot.services.file_gc import GRACE, FileCollector
from storage.tables import StoredFileRow
from tests.conftest import FakeClock
from tests.harness import Harness, make_harness
from tests.integration.support import rows, setup_topics

PDF = b"%PDF-1.7\n" + b"price list " * 50
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
OLD = b"%PDF-1.7\nrecalled"
DROPPED = b"%PDF-1.7\ndiscarded draft"
DRAFT = b"%PDF-1.7\nstill a draft"
STRAY = b"never saved"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
async def h(database_url: str, clock: FakeClock, tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await make_harness(database_url, clock, files_dir=str(tmp_path / "files"))
    await setup_topics(harness, "pricing")
    await harness.subscribe("acme", "pricing")
    yield harness
    await harness.close()


async def _world(h: Harness, folder: Path) -> None:
    """#1 sent (PDF), #2 cancelled (PNG and the same PDF), #3 recalled, #4 a discarded draft, #5 a
    draft; plus bytes stored for a draft never saved, and a temporary file of an interrupted write."""
    for name, data in (("price.pdf", PDF), ("shot.png", PNG), ("old.pdf", OLD), ("gone.pdf", DROPPED),
                       ("draft.pdf", DRAFT)):  # fmt: skip
        (folder / name).write_bytes(data)

    async def draft(attach: str, title: str) -> None:
        reply = await h.admin(f'broadcast topic:pricing {attach} title:"{title}" Body.')
        assert not reply.is_error, reply.text

    await draft(f"attach:{folder / 'price.pdf'}", "Prices")
    assert not (await h.admin("send 1")).is_error
    await draft(f'attach:{folder / "shot.png"} attach:{folder / "price.pdf"} at:"2026-11-30 12:00"', "Later")
    assert not (await h.admin("send 2")).is_error
    assert not (await h.admin("cancel 2")).is_error
    await draft(f"attach:{folder / 'old.pdf'}", "Old")
    assert not (await h.admin("send 3")).is_error
    await h.deliver()
    assert not (await h.admin("recall 3")).is_error
    await draft(f"attach:{folder / 'gone.pdf'}", "Dry run")
    assert await h.app.stores.announcements.discard_draft(4)
    await draft(f"attach:{folder / 'draft.pdf'}", "Draft")
    await h.app.files.put(data=STRAY)
    stored = Path(h.app.settings.files_dir)
    (stored / sha(PDF)[:2] / ".incoming-x1y2").write_bytes(b"half a fi")


def _age(root: Path, seconds: float) -> None:
    """Every stored file (and temporary one) last written `seconds` ago."""
    when = time.time() - seconds
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, (when, when))


def _collector(h: Harness) -> FileCollector:
    return FileCollector(h.app.stores.file_usage, h.app.files, FakeClock(datetime.now(UTC)))


def _on_disk(h: Harness) -> set[str]:
    root = Path(h.app.settings.files_dir)
    return {f"{p.parent.name}{p.name}" for p in root.rglob("*") if p.is_file() and "." not in p.name}


async def test_unused_files_go_and_live_ones_stay(h: Harness, tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    await _world(h, folder)
    root = Path(h.app.settings.files_dir)
    _age(root, GRACE.total_seconds() + 60)
    before = _on_disk(h)
    assert before == {sha(d) for d in (PDF, PNG, OLD, DROPPED, DRAFT, STRAY)}

    dry = await _collector(h).collect(dry_run=True)
    assert dry.dry_run and _on_disk(h) == before
    found = {f.key: f for f in dry.removed}
    assert set(found) == {sha(PNG), sha(OLD), sha(DROPPED), sha(STRAY), f"{sha(PDF)[:2]}/.incoming-x1y2"}
    assert found[sha(PNG)].why is UnusedWhy.CLOSED
    assert found[sha(PNG)].names == ("shot.png",) and found[sha(PNG)].announcements == ((2, "cancelled"),)
    assert found[sha(OLD)].announcements == ((3, "recalled"),)
    assert found[sha(DROPPED)].why is UnusedWhy.UNLINKED and found[sha(DROPPED)].names == ()
    assert found[sha(STRAY)].why is UnusedWhy.UNTRACKED
    assert found[f"{sha(PDF)[:2]}/.incoming-x1y2"].why is UnusedWhy.INCOMPLETE
    assert dry.size == len(PNG) + len(OLD) + len(DROPPED) + len(STRAY) + 9

    done = await _collector(h).collect()
    assert not done.dry_run and {f.key for f in done.removed} == set(found)
    # The sent announcement's PDF (also the cancelled one's) and the live draft's stay.
    assert _on_disk(h) == {sha(PDF), sha(DRAFT)}
    assert not list(root.rglob(".incoming-*"))
    assert await h.app.files.read(sha256=sha(PDF)) == PDF
    # The database still says what each announcement carried.
    assert {r.sha256 for r in await rows(h, StoredFileRow)} == {
        sha(d) for d in (PDF, PNG, OLD, DROPPED, DRAFT)
    }

    again = await _collector(h).collect()
    assert again.removed == ()

    # Attaching a removed content again stores it again.
    reply = await h.admin(f'broadcast topic:pricing attach:{folder / "shot.png"} title:"Again" Body.')
    assert not reply.is_error, reply.text
    assert await h.app.files.read(sha256=sha(PNG)) == PNG


async def test_files_written_or_attached_again_recently_stay(h: Harness, tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    await _world(h, folder)
    root = Path(h.app.settings.files_dir)
    _age(root, GRACE.total_seconds() + 60)
    # Within the grace: the cancelled announcement's PNG is being attached to a new draft right now.
    await h.app.files.put(data=PNG)
    fresh = b"stored a moment ago"
    await h.app.files.put(data=fresh)
    done = await _collector(h).collect()
    assert sha(PNG) not in {f.key for f in done.removed} and sha(fresh) not in {f.key for f in done.removed}
    assert {sha(PNG), sha(fresh)} <= _on_disk(h)


async def test_the_job_collects_and_says_how_much(h: Harness, tmp_path: Path, clock: FakeClock) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    await _world(h, folder)
    _age(Path(h.app.settings.files_dir), GRACE.total_seconds() + 60)
    clock.advance((datetime.now(UTC) - clock.now()).total_seconds())
    assert await run_job(h.app, "files-gc") != []
    assert _on_disk(h) == {sha(PDF), sha(DRAFT)}
    size = human_size(len(PNG) + len(OLD) + len(DROPPED) + len(STRAY) + 9)
    assert await _detail(h) == m.JOB_FILES_GC(5, size=size)
    # The same period is not run twice; six hours later there is nothing left to remove.
    assert await run_job(h.app, "files-gc") == []
    clock.advance(timedelta(hours=6).total_seconds())
    assert await run_job(h.app, "files-gc") != []
    assert await _detail(h) == m.JOB_FILES_GC(0, size="0 bytes") == "0 unused files removed (0 bytes)"


async def _detail(h: Harness) -> str:
    [run] = [r for r in await h.app.stores.job_runs.latest() if r.job == "files-gc"]
    return run.detail
