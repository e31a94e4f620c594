"""How Slack and Discord render an announcement shown in full ("Show"): pure rendering, with what is
said of links and files that cannot be buttons or uploads, in the reader's language."""

from __future__ import annotations

from adapters.discord import shown as discord_shown
from adapters.discord.translate import LINK_URL_LIMIT
from adapters.slack import shown as slack_shown
from adapters.slack.translate import mrkdwn, reply_message
from bot import messages as m
from bot.attachments import DISCORD_MESSAGE, MIB, human_size
from bot.domain import Attachment, ChannelRef, FileShown, LinkButton, MessageRef, Platform, Reply
from bot.i18n import reading

PDF = Attachment("a" * 64, "terms.pdf", "application/pdf", 10)
PNG = Attachment("b" * 64, "q.png", "image/png", 9)
SLACK_COPY = MessageRef(ChannelRef(Platform.SLACK, "T1", "C1"), "1700000000.000100")
DISCORD_COPY = MessageRef(ChannelRef(Platform.DISCORD, "111", "222"), "333")
PORTAL = LinkButton("Portal", "https://example.com/p", action="news_show_link", value="12:1")


def shown(*files: FileShown, links: tuple[LinkButton, ...] = (PORTAL,), **extra: object) -> Reply:
    return Reply(text="**Rebates**\nThey start in March.", links=links, files=files, **extra)  # type: ignore[arg-type]


def test_slack_other_replies_get_no_blocks_of_a_shown_announcement() -> None:
    assert slack_shown.shown_blocks(Reply(text="hello"), "", mrkdwn) == []
    assert not slack_shown.needs_permalink(shown(FileShown(PDF)))  # no copy to link to


def test_slack_names_files_without_a_copy_and_says_whom_to_ask() -> None:
    reply = shown(FileShown(PDF), FileShown(PNG), FileShown(PNG, missing=True))
    blocks = reply_message(reply)["blocks"]
    assert [b["type"] for b in blocks] == ["section", "actions", "context"]
    [note] = blocks[-1]["elements"]
    assert note["text"] == mrkdwn(
        m.SHOW_FILES_NO_COPY(2, names="terms.pdf, q.png") + "\n" + m.SHOW_FILE_GONE.format(name="q.png")
    )


def test_slack_words_the_files_in_the_readers_language() -> None:
    reply = shown(FileShown(PDF), delivered=SLACK_COPY, language="de")
    note = slack_shown.files_notes(reply, "https://acme.slack.com/archives/C1/p1700000000000100")
    with reading("de"):
        expected = m.SHOW_FILES_IN_COPY(
            1, names="terms.pdf", link="https://acme.slack.com/archives/C1/p1700000000000100"
        )
    assert note == [expected] and note[0].startswith("📎 Eine private Nachricht")
    assert slack_shown.needs_permalink(reply)
    # An image at a signed link is shown, so it needs no permalink.
    assert not slack_shown.needs_permalink(
        shown(FileShown(PNG, image_url="https://bot.example/f/t"), delivered=SLACK_COPY)
    )


def test_discord_writes_out_a_link_too_long_for_a_button_and_names_files_it_leaves_out() -> None:
    long = LinkButton("Long", "https://example.com/" + "x" * LINK_URL_LIMIT)
    files = tuple(
        FileShown(Attachment(f"{n:064x}", f"f{n}.pdf", "application/pdf", 2 * MIB)) for n in range(12)
    )
    uploads = tuple((f"f{n}.pdf", b"%PDF") for n in range(10))
    gathered = discord_shown.Gathered(uploads, left_out=(files[10].file, files[11].file), per_file=10 * MIB)
    parts = discord_shown.shown_parts(shown(*files, links=(PORTAL, long)), gathered)
    assert len(parts) == 1 and parts[0].uploads == uploads
    [button] = parts[0].components
    assert (button.label, button.url) == ("Portal", "https://example.com/p")
    assert m.SHOW_LINK.format(label="Long", url=long.url) in parts[0].content
    note = m.SHOW_NOT_ATTACHED_NO_COPY(
        2, names="f10.pdf, f11.pdf", limit=human_size(10 * MIB), total=human_size(DISCORD_MESSAGE)
    )
    assert note in parts[0].content


async def test_discord_gathers_within_ten_files_and_the_limits() -> None:
    class Store:
        async def read(self, *, sha256: str) -> bytes:
            return sha256.encode()

        async def put(self, *, data: bytes) -> str:
            raise AssertionError("not written")

        async def has(self, *, sha256: str) -> bool:
            return True

    small = [FileShown(Attachment(f"{n:064x}", f"f{n}.txt", "text/plain", 3 * MIB)) for n in range(9)]
    big = FileShown(Attachment("c" * 64, "big.zip", "application/zip", 11 * MIB))
    gathered = await discord_shown.gather(shown(big, *small), Store(), per_file=10 * MIB)
    # The 11 MB file is over the limit per file; eight of 3 MB fit the 25 MB in all, the ninth not.
    assert [name for name, _ in gathered.uploads] == [f"f{n}.txt" for n in range(8)]
    assert [f.name for f in gathered.left_out] == ["big.zip", "f8.txt"]
    reply = shown(big, *small, delivered=DISCORD_COPY)
    content = discord_shown.shown_parts(reply, gathered)[0].content
    assert "[the copy this channel received](https://discord.com/channels/111/222/333)" in content
