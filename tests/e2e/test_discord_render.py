"""The pure half of the Discord adapter: Discord's limits, clean splits, nonces, error classification."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp
import discord
from hypothesis import given
from hypothesis import strategies as st

from adapters.discord import files as files_of_discord
from adapters.discord import translate as tr
from adapters.discord.sender import RecentPosts, UnknownTarget, classify
from bot.domain import AnnouncementPost, Attachment, Button, Reply, Row
from bot.domain.sending import CtaButton
from bot.ports import PermanentSendError, TransientSendError


def post(body: str, *, title: str = "Quarterly update", urgent: bool = False) -> AnnouncementPost:
    return AnnouncementPost(7, 42, title, body, ("security", "pricing"), urgent)


def test_a_long_body_is_split_cleanly_across_embeds_and_messages() -> None:
    paragraphs = [f"Paragraph {i}: " + ("lorem ipsum dolor sit amet " * 30).strip() for i in range(20)]
    body = "\n\n".join(paragraphs)  # ~16,500 characters
    parts = tr.render_announcement(post(body))
    embeds = [embed for part in parts for embed in part.embeds]
    assert len(parts) > 1  # more than 6,000 characters cannot go in one message
    for part in parts:
        assert len(part.embeds) <= 10 and sum(tr.embed_size(e) for e in part.embeds) <= 6000
        assert all(len(e.description or "") <= 4096 for e in part.embeds)
        assert part.embeds[-1].footer.text == "security, pricing · normal priority · announcement #42"
    # Nothing lost, nothing cut mid-word: every chunk ends at a paragraph boundary.
    descriptions = [e.description or "" for e in embeds]
    assert "\n\n".join(descriptions) == body
    assert all(d.endswith("amet") for d in descriptions)
    assert embeds[0].title == "Quarterly update" and all(e.title is None for e in embeds[1:])
    assert parts[0].components == tr.ANNOUNCEMENT_BUTTONS and all(not p.components for p in parts[1:])


def test_urgent_announcements_are_marked_and_coloured() -> None:
    (part,) = tr.render_announcement(post("Patch now.", urgent=True))
    (embed,) = part.embeds
    assert embed.title == "🚨 URGENT · Quarterly update" and embed.colour == discord.Colour(tr.URGENT_COLOUR)
    assert "urgent" in (embed.footer.text or "")


@given(st.text(min_size=1, max_size=9000))
def test_split_text_keeps_every_word_and_respects_the_limit(text: str) -> None:
    chunks = tr.split_text(text, 2000)
    assert all(len(chunk) <= 2000 for chunk in chunks)
    assert "".join("".join(chunks).split()).replace("```", "") == "".join(text.split()).replace("```", "")


def test_code_blocks_cut_in_two_stay_code_blocks() -> None:
    text = "```\n" + "\n".join(f"line {i}" for i in range(600)) + "\n```"
    chunks = tr.split_text(text, 2000)
    assert len(chunks) > 1 and all(chunk.count("```") % 2 == 0 for chunk in chunks)


def test_nonces_are_deterministic_and_fit() -> None:
    assert tr.nonce("d123") == "pb-d123" and tr.nonce("d123", 1) == "pb-d123-1"
    long = tr.nonce("d" + "9" * 30)
    assert len(long) <= 25 and long == tr.nonce("d" + "9" * 30) and long != tr.nonce("d" + "9" * 29)


def test_replies_use_discord_markdown_and_carry_their_buttons() -> None:
    """The core's neutral markup is the Markdown Discord reads: shown as written."""
    rows = tuple(Row(f"`t{i}`", Button("Subscribe", "topic_subscribe", f"t{i}")) for i in range(30))
    parts = tr.render_reply(Reply(text="**Topics** (30)\n> quoted `*code*`", rows=rows))
    assert parts[0].content.startswith("**Topics** (30)\n> quoted `*code*`")
    buttons = [c for part in parts for c in part.components]
    assert len(buttons) == 30 and all(len(p.components) <= 25 for p in parts)
    assert buttons[0] == tr.ButtonSpec("Subscribe t0", "pb:topic_subscribe:t0")


def test_topic_autocomplete_and_audience_parsing() -> None:
    topics = [("pricing", "Price lists"), ("security", "Security advisories")]
    assert tr.complete_topics("", topics, allow_all=True)[0] == ("all", "all")
    assert tr.complete_topics("pricing, se", topics, allow_all=True) == [
        ("pricing security", "pricing security")
    ]
    parsed = tr.parse_audience("tier:Gold,platinum region:emea urgent")
    assert (
        parsed.urgent
        and parsed.audience.tiers == {"gold", "platinum"}
        and parsed.audience.regions == {"emea"}
    )
    assert "isn't an audience option" in tr.parse_audience("color:red").error
    assert tr.parse_topics("Security, pricing security") == (("security", "pricing"), "")
    assert "isn't a valid topic name" in tr.parse_topics("sec!")[1]


def test_failures_are_classified_for_the_worker() -> None:
    limited = classify(discord.RateLimited(45.0))
    assert isinstance(limited, TransientSendError) and limited.retry_after == 45.0 and limited.rate_limited
    dropped = classify(aiohttp.ServerDisconnectedError())
    assert isinstance(dropped, TransientSendError) and dropped.maybe_posted
    timeout = classify(TimeoutError())
    assert isinstance(timeout, TransientSendError) and timeout.maybe_posted

    def http(status: int, code: int) -> discord.HTTPException:
        response = type("Response", (), {"status": status, "reason": "x", "headers": {"Retry-After": "2"}})()
        kind = {403: discord.Forbidden, 404: discord.NotFound}.get(status, discord.HTTPException)
        return kind(response, {"message": "x", "code": code})

    gone = classify(http(404, 10003))
    assert isinstance(gone, UnknownTarget) and gone.deactivate
    no_access = classify(http(403, 50001))
    assert isinstance(no_access, PermanentSendError) and no_access.deactivate
    bad_form = classify(http(400, 50035))
    assert isinstance(bad_form, PermanentSendError) and not bad_form.deactivate
    storm = classify(http(429, 0))
    assert isinstance(storm, TransientSendError) and storm.retry_after == 2.0 and storm.rate_limited
    outage = classify(http(503, 0))
    assert isinstance(outage, TransientSendError) and outage.maybe_posted and not outage.rate_limited


def test_an_earlier_post_is_recognised_without_a_nonce_in_history() -> None:
    (part,) = tr.render_announcement(post("Patch now."))
    payload = {"author": {"id": "9"}, "content": "", "embeds": [e.to_dict() for e in part.embeds]}
    assert tr.same_message(payload, part, "pb-d7", bot_id=9)
    assert not tr.same_message(payload, part, "pb-d7", bot_id=8)  # someone else's message
    other = tr.render_announcement(post("Patch now.", title="Another"))[0]
    assert not tr.same_message(payload, other, "pb-d7", bot_id=9)
    assert not tr.same_message({**payload, "nonce": "pb-d8"}, part, "pb-d7", bot_id=9)


@dataclass(frozen=True)
class Item:
    announcement_id: int
    title: str
    body: str
    topics: tuple[str, ...]
    ctas: tuple[CtaButton, ...] = ()
    files: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class Digest:
    period_label: str
    items: tuple[Item, ...]


def test_a_digest_carries_every_announcement_in_full() -> None:
    items = tuple(Item(i, f"Update {i}", f"Body {i}. " * 300, ("security",)) for i in range(1, 9))
    parts = tr.render_digest(Digest("Daily digest · Wednesday 25 November 2026", items))
    embeds = [embed for part in parts for embed in part.embeds]
    assert embeds[0].title == "Daily digest · Wednesday 25 November 2026"
    assert [e.title for e in embeds if e.title and e.title.startswith("Update")] == [
        f"Update {i}" for i in range(1, 9)
    ]
    assert all(sum(tr.embed_size(e) for e in p.embeds) <= 6000 and len(p.embeds) <= 10 for p in parts)
    assert all(not p.components for p in parts)
    footers = [e.footer.text for e in embeds if e.footer.text]
    assert footers == [f"security · announcement #{i}" for i in range(1, 9)]


def test_single_topic_options_complete_one_slug() -> None:
    topics = [("pricing", "Price lists"), ("security", "Security advisories")]
    assert tr.complete_topics("security pri", topics, several=False) == []
    assert tr.complete_topics("SEC", topics, several=False) == [
        ("security — Security advisories", "security")
    ]


def test_recent_posts_are_remembered_for_two_minutes() -> None:
    now = [1000.0]
    recent = RecentPosts(clock=lambda: now[0])
    recent.add(42)
    assert 42 in recent and 43 not in recent and "42" not in recent
    now[0] += RecentPosts.KEEP
    assert 42 not in recent


def test_a_digest_lists_each_announcements_files_by_name_and_size() -> None:
    pdf = Attachment(sha256="a" * 64, name="prices.pdf", media_type="application/pdf", size=2048)
    digest = Digest("Daily digest", (Item(1, "Prices", "New lists.", ("pricing",), files=(pdf,)),))
    [part] = tr.render_digest(digest)
    assert "📎 prices.pdf (2 KB)" in (part.embeds[1].description or "")


def test_an_announcement_shows_its_first_image_and_carries_every_file_on_its_first_message() -> None:
    files = (
        Attachment(sha256="a" * 64, name="Price list.pdf", media_type="application/pdf", size=10),
        Attachment(sha256="b" * 64, name="shot one.png", media_type="image/png", size=10),
        Attachment(sha256="c" * 64, name="shot_one.png", media_type="image/png", size=10),
    )
    post = AnnouncementPost(1, 1, "Title", "x " * 3000, ("pricing",), urgent=False, files=files)
    first, *rest = files_of_discord.render_announcement_with_files(post)
    assert first.files == files and all(not part.files for part in rest)
    assert files_of_discord.upload_names(files) == ["Price_list.pdf", "shot_one.png", "shot_one_2.png"]
    assert first.embeds[0].image.url == "attachment://shot_one.png"
    # The shared, cached rendering is not changed by it.
    assert tr.render_announcement(post)[0].embeds[0].image.url is None
