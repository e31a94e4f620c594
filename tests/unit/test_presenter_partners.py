"""bot/presenter/partners.py: a partner's typed results (bot/results.py) in the words of bot/messages.py,
exactly as the partner service wrote them before it returned results (issue 12)."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from babel.dates import format_date, format_time

from bot import messages as m
from bot.domain import (
    Announcement,
    AnnouncementStatus,
    Audience,
    ChannelRef,
    DeliveryMode,
    Platform,
    Priority,
    Refusal,
    RefusalCode,
    Topic,
    UserRef,
)
from bot.presenter import SUBSCRIBE_ACTION, UNSUBSCRIBE_ACTION, present
from bot.results import (
    ChannelSettings,
    Joined,
    ModeSet,
    NewsListed,
    QuietHoursSet,
    Refused,
    Subscribed,
    SubscriptionsListed,
    TimezoneSet,
    TopicsListed,
    Unsubscribed,
)
from bot.services import partners
from bot.timezones import DigestTime, QuietHours

PRICING = Topic(1, "pricing", "Pricing", "List prices and discounts.")
SECURITY = Topic(2, "security", "Security")
NINE_ON_FRIDAY = DigestTime(hour=9, minute=0, weekday=4)
NIGHT = QuietHours(time(20), time(8))


def _en_time(hour: int, minute: int = 0) -> str:
    """Babel's English short time ("9:00 AM"): what English readers see."""
    return str(format_time(time(hour, minute), format="short", locale="en"))


def _announcement(title: str, day: int) -> Announcement:
    channel = ChannelRef(Platform.LOCAL, "local", "admin")
    return Announcement(
        id=day,
        title=title,
        body="Out **now**.",
        topics=("pricing", "security"),
        audience=Audience(),
        priority=Priority.NORMAL,
        status=AnnouncementStatus.SENT,
        author=UserRef(Platform.LOCAL, "local", "alice", "alice"),
        origin=channel,
        created_at=datetime(2026, 11, day, 9, tzinfo=UTC),
        sent_at=datetime(2026, 11, day + 1, 9, tzinfo=UTC),
    )


def test_topics_are_rows_with_subscribe_or_unsubscribe() -> None:
    reply = present(TopicsListed((PRICING, SECURITY), frozenset({"security"})))
    assert reply.text == m.TOPICS_HEADER.format(count=2, mine=1)
    assert [row.text for row in reply.rows] == [
        "▫️ `pricing` — **Pricing**\nList prices and discounts.",
        "✅ `security` — **Security**",
    ]
    buttons = [row.button for row in reply.rows]
    assert [(b.label, b.action, b.value) for b in buttons if b] == [
        (m.SUBSCRIBE_BUTTON, SUBSCRIBE_ACTION, "pricing"),
        (m.UNSUBSCRIBE_BUTTON, UNSUBSCRIBE_ACTION, "security"),
    ]
    # The service module still exports the actions adapters route on.
    assert (partners.SUBSCRIBE_ACTION, partners.UNSUBSCRIBE_ACTION) == (SUBSCRIBE_ACTION, UNSUBSCRIBE_ACTION)
    assert present(TopicsListed(())).text == m.NO_TOPICS_YET


@pytest.mark.parametrize(
    ("result", "text"),
    [
        (Subscribed(("pricing", "security")), m.SUBSCRIBED.format(topics="`pricing`, `security`")),
        (
            Subscribed(("pricing",), ("security",)),
            m.SUBSCRIBED.format(topics="`pricing`") + "\n" + m.ALREADY_SUBSCRIBED.format(topics="`security`"),
        ),
        (
            Subscribed((), ("pricing",)),
            m.NOTHING_NEW + "\n" + m.ALREADY_SUBSCRIBED.format(topics="`pricing`"),
        ),
        (
            Subscribed(("pricing",), linked=False),
            m.SUBSCRIBED.format(topics="`pricing`") + "\n" + m.NOT_LINKED_HINT,
        ),
        (Unsubscribed(("pricing", "security")), m.UNSUBSCRIBED.format(topics="`pricing`, `security`")),
        (Unsubscribed((), ("pricing", "security")), m.NOTHING_TO_UNSUBSCRIBE),
        (Unsubscribed((), ("pricing",)), m.NOT_FOLLOWING_TOPIC.format(topic="pricing")),
        (Unsubscribed(()), m.NO_SUBSCRIPTIONS),
        (
            SubscriptionsListed((PRICING, SECURITY)),
            "**This channel follows 2 topics:**\n• `pricing` — Pricing\n• `security` — Security",
        ),
        (SubscriptionsListed((PRICING,)), "**This channel follows 1 topic:**\n• `pricing` — Pricing"),
        (SubscriptionsListed(()), m.NO_SUBSCRIPTIONS),
    ],
)
def test_what_subscribing_changed_reads_as_before(
    result: Subscribed | Unsubscribed | SubscriptionsListed, text: str
) -> None:
    reply = present(result)
    assert reply.text == text and not reply.is_error and reply.ephemeral


def test_news_lists_each_announcement_with_its_date_and_topics() -> None:
    reply = present(NewsListed((_announcement("New prices", 20), _announcement("Old prices", 10))))
    item = "**{}** — {} · pricing, security\nOut **now**."
    new, old = (format_date(datetime(2026, 11, day), format="medium", locale="en") for day in (21, 11))
    assert reply.text == "\n\n".join(
        ["**The latest 2 announcements:**", item.format("New prices", new), item.format("Old prices", old)]
    )
    assert present(NewsListed((_announcement("New prices", 20),))).text.startswith(
        "**The latest announcement:**\n\n"
    )
    assert present(NewsListed((), topics=("pricing", "security"))).text == m.NO_NEWS
    assert present(NewsListed((), topics=("pricing",))).text == "No announcements yet on `pricing`."
    assert present(NewsListed((), follows_nothing=True)).text == m.NEWS_NEEDS_TOPICS


@pytest.mark.parametrize(
    ("settings", "mode", "quiet", "cap", "partner"),
    [
        (
            ChannelSettings(DeliveryMode.IMMEDIATE, NINE_ON_FRIDAY, "Europe/Berlin", None),
            "`immediate`",
            "off",
            "off",
            m.NOT_LINKED,
        ),
        (
            ChannelSettings(
                DeliveryMode.WEEKLY,
                NINE_ON_FRIDAY,
                "Europe/Berlin",
                NIGHT,
                True,
                "Acme",
                "gold",
                cap=3,
                cap_is_default=True,
            ),
            f"`weekly` — every Friday at {_en_time(9)}",
            "`20:00-08:00` (vendor default)",
            "3 normal announcements a week (vendor default)",
            "partner: Acme (gold)",
        ),
        (
            ChannelSettings(DeliveryMode.DAILY, NINE_ON_FRIDAY, "Europe/Berlin", NIGHT, cap=1),
            f"`daily` — every day at {_en_time(9)}",
            "`20:00-08:00`",
            "1 normal announcement a week",
            m.NOT_LINKED,
        ),
    ],
)
def test_settings_show_mode_digest_time_zone_quiet_hours_cap_and_partner(
    settings: ChannelSettings, mode: str, quiet: str, cap: str, partner: str
) -> None:
    assert str(NIGHT) == "20:00-08:00"
    assert present(settings).text == (
        f"**Delivery settings for this channel**\n• mode: {mode}\n• time zone: `Europe/Berlin`\n"
        f"• quiet hours: {quiet}\n• weekly cap: {cap}\n• language: off\n• {partner}"
    )


def test_changed_settings_say_what_now_holds() -> None:
    assert present(ModeSet(DeliveryMode.IMMEDIATE, NINE_ON_FRIDAY, "UTC")).text == m.MODE_IMMEDIATE
    weekly = present(ModeSet(DeliveryMode.WEEKLY, NINE_ON_FRIDAY, "Asia/Tokyo")).text
    assert weekly == m.MODE_DIGEST.format(
        mode="weekly", when=f"every Friday at {_en_time(9)}", timezone="Asia/Tokyo"
    )
    daily = present(ModeSet(DeliveryMode.DAILY, DigestTime(hour=7, minute=30), "UTC")).text
    assert daily == m.MODE_DIGEST.format(mode="daily", when=f"every day at {_en_time(7, 30)}", timezone="UTC")
    assert present(QuietHoursSet(None, "UTC")).text == m.QUIET_OFF
    quiet = present(QuietHoursSet(NIGHT, "Europe/Berlin")).text
    assert quiet == m.QUIET_SET.format(quiet="`20:00-08:00`", timezone="Europe/Berlin", end=_en_time(8))
    assert present(TimezoneSet("Asia/Tokyo")).text == m.TIMEZONE_SET.format(timezone="Asia/Tokyo")


def test_joining_is_said_in_the_channel_for_everyone() -> None:
    reply = present(Joined("Acme", "gold"))
    assert reply.text == m.JOINED.format(name="Acme", tier="gold")
    assert not reply.ephemeral and not reply.is_error


@pytest.mark.parametrize(
    ("refused", "text"),
    [
        (Refused(RefusalCode.NEEDS_LINK), m.SUBSCRIBE_NEEDS_LINK),
        (
            Refused(
                RefusalCode.UNKNOWN_TIMEZONE, "timezone", value="Europe/Berln", suggestion="Europe/Berlin"
            ),
            m.BAD_TIMEZONE.format(
                value="Europe/Berln", did_you_mean=m.DID_YOU_MEAN.format(suggestion="Europe/Berlin")
            ),
        ),
        (
            Refused(RefusalCode.UNKNOWN_TIMEZONE, "timezone", value="Nowhere"),
            m.BAD_TIMEZONE.format(value="Nowhere", did_you_mean=""),
        ),
        (Refused(RefusalCode.INVITE_UNKNOWN, "code"), m.JOIN_UNKNOWN),
        (Refused(RefusalCode.INVITE_USED, "code"), m.JOIN_USED),
        (Refused(RefusalCode.INVITE_EXPIRED, "code"), m.JOIN_EXPIRED),
    ],
)
def test_a_partners_refusals_read_as_their_sentence_and_keep_their_code(refused: Refused, text: str) -> None:
    reply = present(refused)
    assert reply.text == text and reply.is_error
    assert reply.refusal is not None and reply.refusal == refused.refusal
    assert reply.refusal == Refusal(reply.refusal.code, refused.field)
