"""bot/presenter/admin.py and its refusals: topic commands, `cancel` and acknowledgements as typed
results, in the words the admin and ack services wrote before they returned results (issue 12)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from babel.dates import format_date, format_time

from bot import messages as m
from bot.domain import AckState, ChannelRef, Platform, Refusal, RefusalCode, Topic
from bot.domain.engagement import SendingLoad
from bot.presenter import present
from bot.results import (
    AckListing,
    Acknowledged,
    Cancelled,
    Refused,
    TopicAdded,
    TopicArchiveSet,
    TopicsOverview,
)

AT = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
# Babel's English medium date and short time, then the zone: "Nov 24, 2026, 9:30 AM UTC".
AT_UTC = (
    f"{format_date(AT.date(), 'medium', locale='en')}, {format_time(AT.time(), 'short', locale='en')} UTC"
)


def _state(partner: str, acked_by: str | None = None, name: str = "") -> AckState:
    channel = ChannelRef(Platform.SLACK, "T1", "C1")
    when = AT if acked_by else None
    return AckState(1, partner, "gold" if partner else "", channel, "news", acked_by, name, when)


def test_topic_commands_read_as_before() -> None:
    added = present(TopicAdded(Topic(1, "pricing", "Pricing")))
    assert added.text == m.TOPIC_ADDED.format(slug="pricing", title="Pricing") and not added.ephemeral
    archived = present(TopicArchiveSet("pricing", archived=True))
    assert archived.text == m.TOPIC_ARCHIVED.format(slug="pricing") and not archived.ephemeral
    back = present(TopicArchiveSet("pricing", archived=False))
    assert back.text == m.TOPIC_UNARCHIVED.format(slug="pricing") and not back.ephemeral
    same = present(TopicArchiveSet("pricing", archived=False, changed=False))
    assert same.text == m.TOPIC_NOT_ARCHIVED.format(slug="pricing") and same.ephemeral and not same.is_error


def test_the_topic_overview_counts_followers_and_marks_archived_topics() -> None:
    overview = TopicsOverview(
        ((Topic(1, "pricing", "Pricing"), 1), (Topic(2, "old", "Old", archived=True), 0)),
        {1: SendingLoad(30, 12, 1, 4)},
    )
    assert present(overview).text == (
        "**2 topics** (1 archived)\n"
        "• `pricing` — Pricing · 1 channel follows it · last 30 days: 12 delivered, 1 proactive action, "
        "4 reactive actions\n"
        "• `old` — Old _(archived)_ · 0 channels follow it · last 30 days: 0 delivered, "
        "0 proactive actions, 0 reactive actions"
    )
    assert present(TopicsOverview(((Topic(1, "pricing", "Pricing"), 3),))).text == (
        "**1 topic**\n• `pricing` — Pricing · 3 channels follow it · last 30 days: 0 delivered, "
        "0 proactive actions, 0 reactive actions"
    )
    assert present(TopicsOverview(())).text == m.ADMIN_NO_TOPICS


def test_a_cancelled_announcement_is_said_in_the_channel() -> None:
    reply = present(Cancelled(7, "New prices"))
    assert reply.text == m.CANCELLED.format(id=7, title="New prices") and not reply.ephemeral


def test_an_acknowledge_press_thanks_says_who_did_already_or_that_none_is_needed() -> None:
    assert present(Acknowledged()).text == m.ACK_THANKS
    assert present(Acknowledged(needed=False)).text == m.ACK_NOT_NEEDED
    earlier = _state("Acme", "U1", "Pat")
    assert present(Acknowledged(earlier=earlier, by_caller=True)).text == m.ACK_ALREADY.format(
        who=m.ACK_YOU, when=AT_UTC
    )
    assert present(Acknowledged(earlier=earlier)).text == m.ACK_ALREADY.format(who="Pat", when=AT_UTC)


def test_the_ack_listing_splits_who_acknowledged_from_who_has_not() -> None:
    listing = AckListing(4, "Patch now", (_state("Acme", "U1", "Pat"), _state("")))
    assert present(listing).text == "\n".join(
        [
            m.ACKS_HEADER.format(id=4, title="Patch now", done=1, channels="2 channels"),
            "",
            m.ACKS_DONE.format(count=1),
            f"• Acme (gold, slack) #news — Pat, {AT_UTC}",
            "",
            m.ACKS_WAITING.format(count=1),
            f"• {m.ACKS_UNLINKED} (—, slack) #news",
        ]
    )
    assert present(AckListing(4, "Patch now", ())).text == m.ACKS_NONE_DELIVERED.format(id=4)


@pytest.mark.parametrize(
    ("refused", "text"),
    [
        (Refused(RefusalCode.TOPIC_EXISTS, "slug", value="pricing"), m.TOPIC_EXISTS.format(slug="pricing")),
        (
            Refused(RefusalCode.UNKNOWN_TOPIC, "slug", value="pricng", suggestion="pricing"),
            m.UNKNOWN_TOPIC.format(slug="pricng", did_you_mean=m.DID_YOU_MEAN.format(suggestion="pricing")),
        ),
        (Refused(RefusalCode.CANCEL_TOO_LATE, announcement_id=3), m.CANCEL_TOO_LATE.format(id=3)),
        (
            Refused(RefusalCode.NOT_CANCELLABLE, announcement_id=3, status="sent"),
            m.CANNOT_CANCEL["sent"].format(id=3),
        ),
        (Refused(RefusalCode.ACK_NOT_REQUIRED, announcement_id=3), m.ACK_NOT_REQUIRED.format(id=3)),
    ],
)
def test_admin_refusals_read_as_their_sentence_and_keep_their_code(refused: Refused, text: str) -> None:
    reply = present(refused)
    assert reply.text == text and reply.is_error
    assert reply.refusal is not None and reply.refusal == refused.refusal
    assert reply.refusal == Refusal(reply.refusal.code, refused.field)
