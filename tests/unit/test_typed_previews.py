"""The admin's preview as a typed result (issue 12): the Discord adapter renders the draft from
`Reply.draft`, never by splitting the preview's text; the bodies here hold the preview's own rule
("———") and a "#number", which the text-reading code had to step around."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.discord import preview as pv
from bot import messages as m
from bot.domain import (
    Announcement,
    AnnouncementStatus,
    Audience,
    ChannelRef,
    Platform,
    Priority,
    Reach,
    Refusal,
    RefusalCode,
    UserRef,
)
from bot.services.admin import SEND_ACTION, preview

BODY = "Prices change on #12.\n———\nThe list:\n———\nsee the portal."


def _draft(**changes: object) -> Announcement:
    channel = ChannelRef(Platform.LOCAL, "local", "admin")
    fields: dict[str, object] = {
        "id": 7,
        "title": "New prices",
        "body": BODY,
        "topics": ("pricing",),
        "audience": Audience(tiers=frozenset({"gold"})),
        "priority": Priority.URGENT,
        "status": AnnouncementStatus.DRAFT,
        "author": UserRef(Platform.LOCAL, "local", "alice", "alice"),
        "origin": channel,
        "created_at": datetime(2026, 11, 24, 9, tzinfo=UTC),
    }
    fields.update(changes)
    return Announcement(**fields)  # type: ignore[arg-type]


def _reach(channels: int) -> Reach:
    return Reach(channels, channels, {"discord": channels}, {"gold": channels}, {"emea": channels})


def test_preview_text_is_unchanged_and_its_draft_is_typed() -> None:
    reply = preview(_draft(), _reach(3), notes=("A note.",))
    fields = {"id": 7, "topics": "pricing", "audience": "tier: gold"}
    expected = m.PREVIEW.format(urgent=m.URGENT_MARK, title="New prices", body=BODY, **fields)
    assert reply.text.startswith(expected + "\n\n**Reach:** 3 channels of 3 partners")
    assert reply.text.endswith("\nA note.")
    assert reply.draft is not None and reply.refusal is None and not reply.is_error
    assert (reply.draft.announcement_id, reply.draft.body, reply.draft.urgent) == (7, BODY, True)
    assert reply.draft.summary.startswith(
        m.PREVIEW_HEADING.format(id=7) + "\n" + m.PREVIEW_DETAILS.format(**fields)
    )
    assert reply.draft.summary.endswith("\nA note.") and BODY not in reply.draft.summary
    assert reply.buttons[0].action == SEND_ACTION


def test_preview_reaching_nobody_drops_the_notes_and_refuses() -> None:
    reply = preview(_draft(), _reach(0), notes=("A note.",))
    assert reply.is_error and not reply.buttons and "A note." not in reply.text
    assert reply.refusal == Refusal(RefusalCode.EMPTY_AUDIENCE)
    assert reply.draft is not None and reply.draft.summary.endswith(
        m.EMPTY_AUDIENCE.format(id=7, audience="tier: gold")
    )


def test_discord_preview_shows_the_summary_as_text_and_the_body_only_in_embeds() -> None:
    reply = preview(_draft(), _reach(3))
    assert reply.draft is not None
    first, *_ = pv.preview_parts(reply, reply.draft, [])
    assert first.content == reply.draft.summary
    assert "see the portal" not in first.content
    embedded = "\n".join(embed.description or "" for embed in first.embeds)
    assert "see the portal." in embedded and "The list:" in embedded
    assert len(first.components) == len(reply.buttons)
