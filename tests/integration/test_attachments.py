"""Files on announcements, on SQLite and PostgreSQL: stored once by content, linked in order, listed
in the preview, refused there (and at `send`) when a target platform can't take them, delivered
with the announcement and listed in digests."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import messages as m
from bot.attachments import MIB
from bot.commands import Broadcast
from bot.domain import (
    Audience,
    ChannelRef,
    FileProblemKind,
    ImportRow,
    NewFile,
    PartnerProfile,
    Platform,
    RefusalCode,
)
from bot.grammar import parse_admin
from bot.jobs import make_digests
from bot.ports import FileMissing, FileUnreadable
from bot.presenter import SEND_ACTION
from bot.results import FilesRefused
from storage.files import FilesystemFileStore, LocalFileReader
from storage.tables import AnnouncementFileRow, AnnouncementRow, StoredFileRow
from tests.conftest import FakeClock
from tests.harness import ADMIN, Harness, make_harness
from tests.integration.support import id_from, rows, setup_topics, slack_invocation

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
PDF = b"%PDF-1.7\n" + b"price list " * 50


@pytest.fixture
async def h(database_url: str, clock: FakeClock, tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await make_harness(database_url, clock, files_dir=str(tmp_path / "files"))
    await setup_topics(harness, "pricing")
    await harness.subscribe("acme", "pricing")
    yield harness
    await harness.close()


@pytest.fixture
def files(tmp_path: Path) -> Path:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "Price list.pdf").write_bytes(PDF)
    (folder / "shot.png").write_bytes(PNG)
    (folder / "copy.pdf").write_bytes(PDF)
    return folder


async def test_console_attachments_are_previewed_stored_once_and_delivered(h: Harness, files: Path) -> None:
    pdf, png = files / "Price list.pdf", files / "shot.png"
    reply = await h.admin(
        f'broadcast topic:pricing attach:"{pdf}" attach:{png} title:"Q3 prices" See the PDF.'
    )
    assert not reply.is_error, reply.text
    assert m.FILES_HEADING(2) in reply.text
    assert "• Price list.pdf — 559 bytes, application/pdf" in reply.text
    assert "• shot.png — 72 bytes, image (image/png)" in reply.text
    assert reply.draft is not None and [f.name for f in reply.draft.files] == ["Price list.pdf", "shot.png"]
    assert SEND_ACTION in [b.action for b in reply.buttons]

    # The same content again, under another name: one stored file, two links.
    again = await h.admin(f'broadcast topic:pricing attach:{files / "copy.pdf"} title:"Again" Same PDF.')
    assert not again.is_error, again.text
    stored = await rows(h, StoredFileRow)
    assert sorted(s.sha256 for s in stored) == sorted(
        {hashlib.sha256(PDF).hexdigest(), hashlib.sha256(PNG).hexdigest()}
    )
    links = await rows(h, AnnouncementFileRow)
    assert [(link.announcement_id, link.position, link.name) for link in links] == [
        (1, 0, "Price list.pdf"), (1, 1, "shot.png"), (2, 0, "copy.pdf"),
    ]  # fmt: skip
    on_disk = [p for p in Path(h.app.settings.files_dir).rglob("*") if p.is_file()]
    assert len(on_disk) == 2 and not [p for p in on_disk if p.name.startswith(".incoming-")]

    sent = await h.admin("send 1")
    assert not sent.is_error, sent.text
    await h.deliver()
    [post] = h.posts("acme")
    assert m.DIGEST_FILE.format(name="Price list.pdf", size="559 bytes") in post.text
    assert m.DIGEST_FILE.format(name="shot.png", size="72 bytes") in post.text


async def test_an_unreadable_path_creates_no_draft(h: Harness, files: Path) -> None:
    reply = await h.admin(f'broadcast topic:pricing attach:{files / "nope.pdf"} title:"T" Body.')
    assert reply.is_error and reply.refusal is not None and reply.refusal.code is RefusalCode.FILES_REFUSED
    assert m.FILE_UNREADABLE.format(name=files / "nope.pdf", detail=m.FILE_UNREADABLE_MISSING) in reply.text
    folder = await h.admin(f'broadcast topic:pricing attach:{files} title:"T" Body.')
    assert m.FILE_UNREADABLE_DIRECTORY in folder.text
    assert await rows(h, AnnouncementRow) == []


async def test_a_path_from_a_chat_platform_is_never_read(h: Harness, files: Path) -> None:
    text = f'broadcast topic:pricing attach:{files / "shot.png"} title:"T" Body.'
    refused = await h.app.bot.admin.draft(slack_invocation("CADMIN", user=ADMIN), _parsed(text))
    assert isinstance(refused, FilesRefused)
    assert [p.kind for p in refused.problems] == [FileProblemKind.LOCAL_ONLY]
    assert await rows(h, StoredFileRow) == [] and await rows(h, AnnouncementRow) == []


async def test_a_file_discord_cannot_take_is_refused_in_the_preview_and_at_send(h: Harness) -> None:
    # A Discord partner follows `pricing` too: the draft reaches both platforms.
    ref = ChannelRef(Platform.DISCORD, "G1", "9001")
    profile = PartnerProfile(name="Globex", tier="gold", region="emea", timezone="")
    await h.app.stores.directory.import_rows([ImportRow(1, profile, ref)], now=h.app.clock.now())
    row = await h.app.stores.directory.channel(ref)
    assert row is not None
    await h.app.stores.subscriptions.add(row.id, [1], now=h.app.clock.now())

    big = NewFile("demo.mp4", b"\x00" * (11 * MIB))
    command = Broadcast(("pricing",), Audience(), "Demo", "The video.", files=(big,))
    reply = await h.app.bot.run_admin(h.local.invocation(ADMIN, "admin"), command)
    assert reply.is_error and reply.refusal is not None and reply.refusal.code is RefusalCode.FILES_REFUSED
    assert "• demo.mp4 is 11 MB; Discord takes at most 10 MB per file." in reply.text
    assert SEND_ACTION not in [b.action for b in reply.buttons]
    assert reply.draft is not None and reply.draft.file_problems
    draft_id = id_from(reply)

    sent = await h.admin(f"send {draft_id}")
    assert sent.is_error and sent.refusal is not None and sent.refusal.code is RefusalCode.FILES_REFUSED
    assert (await h.app.stores.announcements.get(draft_id)).status.value == "draft"  # type: ignore[union-attr]

    # Slack alone takes it: the same file to a Slack-only audience is fine.
    assert await rows(h, StoredFileRow) != []


async def test_digests_list_each_file_by_name_and_size(h: Harness, files: Path, clock: FakeClock) -> None:
    assert not (await h.partner("acme", "settings mode daily")).is_error
    reply = await h.admin(f'broadcast topic:pricing attach:{files / "shot.png"} title:"Shot" Look.')
    await h.admin(f"send {id_from(reply)}")
    await h.deliver()
    assert h.posts("acme") == []
    clock.advance(days=1)
    assert await make_digests(h.app) == 1
    await h.deliver()
    [digest] = h.posts("acme")
    assert m.DIGEST_FILE.format(name="shot.png", size="72 bytes") in digest.text


async def test_files_a_saved_audience_and_calls_to_action_go_together(h: Harness, files: Path) -> None:
    saved = await h.admin("audience save regs tier:registered topic:pricing")
    assert not saved.is_error, saved.text
    reply = await h.admin(
        f'broadcast audience:regs cta:"Order|https://example.com/o" attach:{files / "shot.png"} '
        'title:"Q3" Prices.'
    )
    assert not reply.is_error, reply.text
    assert "“regs”" in reply.text and "• shot.png — 72 bytes" in reply.text
    assert reply.draft is not None and [f.name for f in reply.draft.files] == ["shot.png"]
    assert [c.label for c in reply.draft.ctas] == ["Order"]

    sent = await h.admin(f"send {id_from(reply)}")
    assert not sent.is_error, sent.text
    await h.deliver()
    [post] = h.posts("acme")
    assert m.DIGEST_FILE.format(name="shot.png", size="72 bytes") in post.text
    assert "Order" in [b.label for b in post.buttons]


async def test_the_store_writes_atomically_and_reads_back(tmp_path: Path) -> None:
    store = FilesystemFileStore(tmp_path / "blobs")
    key = await store.put(data=PNG)
    assert key == hashlib.sha256(PNG).hexdigest() and await store.put(data=PNG) == key
    assert await store.read(sha256=key) == PNG
    assert store.path_of(key) == tmp_path / "blobs" / key[:2] / key[2:]
    with pytest.raises(FileMissing):
        await store.read(sha256="f" * 64)
    with pytest.raises(FileMissing):
        await store.read(sha256="../../etc/passwd")
    assert await store.has(sha256=key) and not await store.has(sha256="f" * 64)
    assert not await store.has(sha256="../../etc/passwd")
    # Read once from disk, then from memory while it fits the cache; a file larger than it never stays.
    store.path_of(key).unlink()
    assert await store.read(sha256=key) == PNG
    assert not await store.has(sha256=key)  # off disk is gone, whatever the cache still holds
    small = FilesystemFileStore(tmp_path / "small", cache_bytes=10)
    other = await small.put(data=PDF)
    await small.read(sha256=other)
    small.path_of(other).unlink()
    with pytest.raises(FileMissing):
        await small.read(sha256=other)
    (tmp_path / "big.pdf").write_bytes(PDF)
    with pytest.raises(FileUnreadable, match="larger"):
        await LocalFileReader(max_size=10).read(path=str(tmp_path / "big.pdf"))


def _parsed(text: str) -> Broadcast:
    parsed = parse_admin(text)
    assert isinstance(parsed, Broadcast)
    return parsed
