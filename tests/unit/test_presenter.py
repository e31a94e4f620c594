"""bot/presenter.py: one function per typed result, the words from bot/messages.py (issue 12)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

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
from bot.presenter import EDIT_ACTION, RECALL_ACTION, SEND_ACTION, present
from bot.results import Previewed, Refused, SentSummary
from bot.services.admin import preview


def _announcement() -> Announcement:
    channel = ChannelRef(Platform.LOCAL, "local", "admin")
    return Announcement(
        id=7,
        title="New prices",
        body="Out **now**.",
        topics=("pricing",),
        audience=Audience(tiers=frozenset({"gold"})),
        priority=Priority.NORMAL,
        status=AnnouncementStatus.DRAFT,
        author=UserRef(Platform.LOCAL, "local", "alice", "alice"),
        origin=channel,
        created_at=datetime(2026, 11, 24, 9, tzinfo=UTC),
    )


REACH = Reach(3, 2, {"slack": 3}, {"gold": 3}, {"emea": 3})


def test_a_preview_is_presented_with_its_reach_notes_and_buttons() -> None:
    reply = present(Previewed(_announcement(), REACH, ("Goes out now.",)))
    assert reply.text.startswith(m.PREVIEW_HEADING.format(id=7) + "\n———\n**New prices**\nOut **now**.\n———")
    assert "\n\n**Reach:** 3 channels of 2 partners\n" in reply.text and reply.text.endswith(
        "\nGoes out now."
    )
    assert reply.buttons[0].action == SEND_ACTION and not reply.ephemeral
    assert reply == preview(_announcement(), REACH, notes=("Goes out now.",))  # the service's own helper


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (None, m.SENDING.format(id=7, title="New prices", channels="3 channels")),
        (
            "on 1 Dec",
            m.SCHEDULED_SENDING.format(id=7, title="New prices", channels="3 channels", when="on 1 Dec"),
        ),
    ],
)
def test_a_sent_summary_says_now_or_when_then_offers_edit_and_recall(when: str | None, expected: str) -> None:
    reply = present(SentSummary(_announcement(), 3, when, ("2 wait for quiet hours.",)))
    assert reply.text == expected + "\n2 wait for quiet hours."
    assert [b.action for b in reply.buttons] == [EDIT_ACTION, RECALL_ACTION]


@pytest.mark.parametrize(
    ("refused", "text"),
    [
        (
            Refused(RefusalCode.UNKNOWN_TOPIC, "topics", value="pricng", suggestion="pricing"),
            m.UNKNOWN_TOPIC.format(slug="pricng", did_you_mean=m.DID_YOU_MEAN.format(suggestion="pricing")),
        ),
        (
            Refused(RefusalCode.UNKNOWN_TOPIC, "topics", value="zzz"),
            m.UNKNOWN_TOPIC.format(slug="zzz", did_you_mean="."),
        ),
        (Refused(RefusalCode.TOPIC_ARCHIVED, "topics", value="old"), m.TOPIC_IS_ARCHIVED.format(slug="old")),
        (Refused(RefusalCode.ACK_NEEDS_URGENT, "urgent"), m.ACK_NEEDS_URGENT),
        (
            Refused(RefusalCode.EMPTY_AUDIENCE, announcement_id=7, audience="tier: gold"),
            m.EMPTY_AUDIENCE.format(id=7, audience="tier: gold"),
        ),
        (Refused(RefusalCode.NO_SUCH_ANNOUNCEMENT, announcement_id=9), m.NO_SUCH_ANNOUNCEMENT.format(id=9)),
        (
            Refused(RefusalCode.NOT_A_DRAFT, announcement_id=7, status="sent"),
            m.NOT_A_DRAFT["sent"].format(id=7),
        ),
        (Refused(RefusalCode.AT_PAST, "at", message="That time has passed."), "That time has passed."),
    ],
)
def test_each_refusal_reads_as_its_sentence_and_keeps_its_code(refused: Refused, text: str) -> None:
    reply = present(refused)
    assert reply.text == text and reply.is_error
    assert reply.refusal == Refusal(refused.code, refused.field) if refused.code else reply.refusal is None
