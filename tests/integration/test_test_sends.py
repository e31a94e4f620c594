"""`test <id>` and the preview's "Send test" on SQLite and PostgreSQL: the announcement as partners see
it, in the admin channel (or the configured test channel) only, counted nowhere; buttons pressed on
the copy answer that it is a test copy and record nothing."""

from __future__ import annotations

from pathlib import Path

from adapters.local.workspace import Message
from bot import messages as m
from bot.attachments import MIB
from bot.commands import SendTest
from bot.domain import AnnouncementPost, ChannelRef, Invocation, MessageRef, Outgoing, Platform, UserRef
from bot.presenter import TEST_ACTION
from bot.presenter.audiences import audience_reply
from bot.results import FilesRefused
from storage.tables import DeliveryRow, EngagementEventRow, NoticeRow, ReactionRow
from tests.conftest import FakeClock
from tests.harness import ADMIN_CHANNEL, Harness, make_harness
from tests.integration.support import SenderProxy, broadcast_and_send, id_from, rows, setup_topics


async def _setup(h: Harness) -> int:
    await setup_topics(h, "security")
    await h.join("acme", "Acme", tier="gold")
    await h.partner("acme", "subscribe security")
    preview = await h.admin('broadcast topic:security urgent ack title:"Patch now" Please **update**.')
    return id_from(preview)


def _test_copies(h: Harness, channel: str = ADMIN_CHANNEL) -> list[Message]:
    return [message for message in h.posts(channel) if "Test copy" in message.text]


async def test_a_test_copy_reaches_only_the_admin_channel_and_counts_nowhere(harness: Harness) -> None:
    h = harness
    draft = await _setup(h)

    queued = await h.admin(f"test {draft}")
    assert queued.text == m.TEST_QUEUED.format(id=draft, title="Patch now", channel="this channel")
    await h.deliver()

    [copy] = _test_copies(h)
    assert copy.text.startswith(m.TEST_MARK.format(id=draft))
    # The same rendering as a delivery: title, body, topics, the buttons partners get.
    assert "🚨 URGENT · **Patch now**\nPlease **update**." in copy.text
    assert [b.label for b in copy.buttons] == [m.ASK_BUTTON, m.HELPFUL_BUTTON, m.ACK_BUTTON]
    assert h.posts("acme") == []
    assert await rows(h, DeliveryRow) == []
    [notice] = await rows(h, NoticeRow)
    assert notice.announcement_id == draft and notice.status == "sent"

    # Buttons on the test copy: a friendly answer, nothing recorded.
    events = len(await rows(h, EngagementEventRow))
    for button in copy.buttons[1:]:
        pressed = await h.local.press_on("bob", copy, button)
        assert pressed is not None and pressed.text == m.TEST_COPY_PRESSED
    asked = await h.local.press_on("bob", copy, copy.buttons[0], "Is this real?")
    assert asked is not None and asked.text == m.TEST_COPY_PRESSED
    await h.local.react("bob", copy, "tada")
    assert await rows(h, ReactionRow) == [] and len(await rows(h, EngagementEventRow)) == events
    stats = await h.admin(f"stats {draft}")
    assert "Patch now" in stats.text

    # The draft is still a draft, and it can still be sent.
    sent = await h.admin(f"send {draft}")
    assert not sent.is_error, sent.text


async def test_send_test_button_on_the_preview_and_tests_of_sent_announcements(harness: Harness) -> None:
    h = harness
    await setup_topics(h, "security")
    await h.join("acme", "Acme", tier="gold")
    await h.partner("acme", "subscribe security")
    preview = await h.admin('broadcast topic:security title:"Draft" Body.')
    draft = id_from(preview)
    button = next(b for b in preview.buttons if b.action == TEST_ACTION)
    assert button.label == m.TEST_BUTTON and button.value == str(draft)

    pressed = await h.local.press("alice", ADMIN_CHANNEL, TEST_ACTION, str(draft))
    assert not pressed.is_error and pressed.ephemeral
    sent = await broadcast_and_send(h, 'topic:security title:"Sent one"')
    await h.admin(f"test {sent}")
    await h.deliver()

    # Both copies are due at once and posted concurrently: which lands first is not a promise.
    assert sorted(c.text.splitlines()[1] for c in _test_copies(h)) == ["**Draft**", "**Sent one**"]
    assert len(h.posts("acme")) == 1  # the sent one, once; no test copy
    assert len(await rows(h, DeliveryRow)) == 1


async def test_refusals(harness: Harness) -> None:
    h = harness
    draft = await _setup(h)
    await h.admin(f"cancel {draft}")

    cases = {
        f"test {draft}": f"Announcement #{draft} was cancelled, so there's nothing to test.",
        "test 999": "There's no announcement #999.",
        "test": "Usage: `test <id>`",
        "test abc": '"abc" isn\'t an announcement number',
    }
    for command, fragment in cases.items():
        reply = await h.admin(command)
        assert reply.is_error and fragment in reply.text, (command, reply.text)
    outside = await h.admin("test 1", channel="acme")
    assert outside.is_error and "admin channel" in outside.text
    not_admin = await h.local.press("mallory", ADMIN_CHANNEL, TEST_ACTION, "1")
    assert not_admin.is_error
    assert await rows(h, NoticeRow) == []


async def test_the_configured_test_channel_gets_the_copy(database_url: str, clock: FakeClock) -> None:
    # The local platform has no test-channel setting; the core takes one per platform.
    h = await make_harness(database_url, clock)
    try:
        h.app.bot.test_sends._test_channels[h.workspace.channel("qa").platform] = "qa"
        draft = await _setup(h)
        queued = await h.admin(f"test {draft}")
        assert "on its way to the test channel" in queued.text
        await h.deliver()
        assert len(_test_copies(h, "qa")) == 1 and _test_copies(h) == []
    finally:
        await h.close()


async def test_a_test_copy_carries_the_calls_to_action_and_counts_no_click(harness: Harness) -> None:
    h = harness
    await setup_topics(h, "security")
    await h.join("acme", "Acme", tier="gold")
    await h.partner("acme", "subscribe security")
    preview = await h.admin(
        'broadcast topic:security cta:"Register|https://example.com/r" title:"Webinar" Join.'
    )
    draft = id_from(preview)
    await h.admin(f"test {draft}")
    await h.deliver()

    [copy] = _test_copies(h)
    labels = [b.label for b in copy.buttons]
    assert "Register" in labels  # the delivery's rendering, calls to action included
    pressed = await h.local.cta("bob", copy, draft, 1)
    assert "https://example.com/r" in pressed.text and m.TEST_CTA_NOT_COUNTED in pressed.text
    assert [e for e in await rows(h, EngagementEventRow) if e.kind == "link_clicked"] == []
    assert [c.clicks for c in await h.app.stores.ctas.clicks(draft)] == [0]


class _Recording(SenderProxy):
    """Keeps what the worker hands the Sender, as a Slack or Discord Sender would get it."""

    posted: list[Outgoing]

    async def post(self, out: Outgoing, *, idempotency_key: str) -> MessageRef:
        self.posted.append(out)
        return await super().post(out, idempotency_key=idempotency_key)


async def test_a_test_copy_carries_the_files(database_url: str, clock: FakeClock, tmp_path: Path) -> None:
    h = await make_harness(database_url, clock, files_dir=str(tmp_path / "files"))
    try:
        await setup_topics(h, "pricing")
        await h.join("acme", "Acme", tier="gold")
        await h.partner("acme", "subscribe pricing")
        pdf, png = tmp_path / "Price list.pdf", tmp_path / "shot.png"
        pdf.write_bytes(b"%PDF-1.7\n" + b"price list " * 50)
        png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(64)))
        preview = await h.admin(f'broadcast topic:pricing attach:"{pdf}" attach:{png} title:"Q3" See them.')
        draft = id_from(preview)
        recording = _Recording(h.local.sender)
        recording.posted = []
        h.app.worker.add_sender(Platform.LOCAL, recording)

        await h.admin(f"test {draft}")
        await h.deliver()

        [copy] = _test_copies(h)
        assert m.DIGEST_FILE.format(name="Price list.pdf", size="559 bytes") in copy.text
        assert m.DIGEST_FILE.format(name="shot.png", size="72 bytes") in copy.text
        # The Sender gets the files as a delivery's (Slack uploads them, Discord attaches them), and
        # their bytes are in the file store.
        [out] = recording.posted
        assert isinstance(out.content, AnnouncementPost) and out.content.test_note
        assert [f.name for f in out.content.files] == ["Price list.pdf", "shot.png"]
        for file, path in zip(out.content.files, (pdf, png), strict=True):
            assert await h.app.files.read(sha256=file.sha256) == path.read_bytes()
        assert h.posts("acme") == [] and await rows(h, DeliveryRow) == []
    finally:
        await h.close()


async def test_no_test_copy_where_the_platform_cannot_take_the_files(
    database_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    h = await make_harness(database_url, clock, files_dir=str(tmp_path / "files"))
    try:
        await setup_topics(h, "pricing")
        await h.join("acme", "Acme", tier="gold")
        await h.partner("acme", "subscribe pricing")
        video = tmp_path / "demo.mp4"
        video.write_bytes(b"\x00" * (11 * MIB))  # above Discord's 10 MiB; fine for the console
        preview = await h.admin(f'broadcast topic:pricing attach:{video} title:"Demo" Watch.')
        assert not preview.is_error, preview.text
        draft = id_from(preview)

        on_discord = Invocation(
            channel=ChannelRef(Platform.DISCORD, "G1", "9000"),
            user=UserRef(Platform.DISCORD, "G1", "42", display_name="alice"),
            channel_name="admin",
            thread=None,
        )
        refused = await h.app.bot.test_sends.queue(on_discord, SendTest(draft))
        assert isinstance(refused, FilesRefused) and refused.test and refused.announcement_id == draft
        reply = audience_reply(refused)
        assert reply.is_error
        assert reply.text.startswith(m.TEST_FILES_REFUSED.format(id=draft, problems="").strip())
        assert "demo.mp4 is 11 MB; Discord takes at most 10 MB per file." in reply.text
        assert await rows(h, NoticeRow) == []

        queued = await h.admin(f"test {draft}")  # the console takes it: the copy goes
        assert not queued.is_error, queued.text
        await h.deliver()
        assert len(_test_copies(h)) == 1
    finally:
        await h.close()
