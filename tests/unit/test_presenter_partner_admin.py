"""bot/presenter/roster.py: `partner <name>`, `partner set` and `partner remove` as typed results, in
the words the roster service wrote before it returned results (issue 12). The CLI prints the same."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from bot import messages as m
from bot.domain import ChannelRef, Partner, Platform, Refusal, RefusalCode
from bot.domain.directory import Channel, DeliveryMode, PartnerCard, PartnerChannel
from bot.domain.engagement import EngagementKind, PartnerEngagement, RecentAction
from bot.formats import day, moment
from bot.presenter import present
from bot.results import PartnerChanged, PartnerRemoved, PartnerShown, PartnerUnchanged, Refused

ACME = Partner(1, "Acme", "gold", "reseller", "", "en", "Europe/Berlin")


def _channel(name: str, active: bool) -> Channel:
    return Channel(3, ChannelRef(Platform.SLACK, "T1", "C1"), name, 1, DeliveryMode.DAILY, None, active)


def test_a_partners_card_names_its_profile_channels_and_last_activity() -> None:
    card = PartnerCard(
        ACME,
        (
            PartnerChannel(_channel("acme-news", True), "", ("pricing", "security")),
            PartnerChannel(_channel("acme-old", False), "left", ()),
        ),
        last_delivery=datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
        last_feedback=None,
    )
    shown = present(PartnerShown(card))
    assert shown.text.split("\n") == [
        "**Acme**",
        "• tier: gold · type: reseller · region: none · language: en",
        "• time zone: Europe/Berlin",
        f"• last activity: {moment(datetime(2026, 11, 20, 9, 30, tzinfo=UTC))} (an announcement delivered)",
        "• 2 channels:",
        "  · slack #acme-news · active · daily · topics: pricing, security",
        "  · slack #acme-old · "
        + m.CHANNEL_INACTIVE.format(reason="left")
        + f" · daily · topics: {m.NO_TOPICS}",
    ]
    assert not shown.is_error


def test_last_activity_is_never_older_than_the_actions_listed_below_it() -> None:
    """A partner that only subscribed (no delivery, no feedback yet) read "last activity: none yet"
    above "· …: subscribed (`security`)"; one that searched after its last delivery read the delivery."""
    subscribed = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
    actions = PartnerEngagement(
        90, 120.0, 0.0, (RecentAction(EngagementKind.SUBSCRIBED, subscribed, topic="security"),)
    )
    only_actions = present(PartnerShown(PartnerCard(ACME, (), None, None, engagement=actions))).text
    assert f"• last activity: {moment(subscribed)} (subscribed)" in only_actions
    assert m.ACTIVITY_NONE not in only_actions

    delivered = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    later = present(PartnerShown(PartnerCard(ACME, (), delivered, None, engagement=actions))).text
    assert f"• last activity: {moment(subscribed)} (subscribed)" in later
    # An action older than the last delivery leaves the delivery as the last activity.
    newer = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
    older = present(PartnerShown(PartnerCard(ACME, (), newer, None, engagement=actions))).text
    assert f"• last activity: {moment(newer)} (an announcement delivered)" in older


def test_a_removed_partner_without_channels_says_so_on_its_card() -> None:
    removed = replace(ACME, removed_at=datetime(2026, 11, 1, tzinfo=UTC))
    text = present(PartnerShown(PartnerCard(removed, (), None, None))).text
    assert text.startswith("**Acme**" + m.PARTNER_CARD_REMOVED.format(removed=day(date(2026, 11, 1))) + "\n")
    assert text.endswith("\n" + m.PARTNER_NO_CHANNELS.format(name="Acme"))
    assert m.ACTIVITY_NONE in text


def test_partner_set_says_what_changed_or_that_nothing_did() -> None:
    changed = present(PartnerChanged(ACME, (("tier", "silver", "gold"), ("region", "", "emea"))))
    assert changed.text == "**Acme** updated: tier silver → gold, region none → emea."
    assert not changed.ephemeral and not changed.is_error
    same = present(PartnerUnchanged("Acme", (("tier", "gold"), ("region", ""))))
    assert same.text == "**Acme** already has tier gold, region none; nothing was changed."
    assert same.is_error


def test_partner_remove_counts_the_channels_switched_off() -> None:
    assert present(PartnerRemoved(ACME, 2)).text == m.PARTNER_REMOVED(2, name="Acme")
    assert present(PartnerRemoved(ACME, 1)).text == m.PARTNER_REMOVED(1, name="Acme")
    none = present(PartnerRemoved(ACME, 0))
    assert none.text == m.PARTNER_REMOVED_NO_CHANNELS.format(name="Acme") and not none.ephemeral


def test_roster_refusals_name_the_partner() -> None:
    unknown = present(Refused(RefusalCode.NO_SUCH_PARTNER, value="Acne", suggestion="Acme"))
    assert unknown.text == m.NO_SUCH_PARTNER.format(
        name="Acne", did_you_mean=m.DID_YOU_MEAN.format(suggestion="Acme") + " "
    )
    assert unknown.is_error and unknown.refusal == Refusal(RefusalCode.NO_SUCH_PARTNER)
    nothing_close = present(Refused(RefusalCode.NO_SUCH_PARTNER, value="Zed"))
    assert nothing_close.text == m.NO_SUCH_PARTNER.format(name="Zed", did_you_mean=". ")
    gone = present(Refused(RefusalCode.PARTNER_REMOVED, value="Acme", removed_on=date(2026, 11, 1)))
    assert gone.text == m.PARTNER_REMOVED_ALREADY.format(name="Acme", removed=day(date(2026, 11, 1)))
    unknown_day = present(Refused(RefusalCode.PARTNER_REMOVED, value="Acme"))
    assert unknown_day.text == m.PARTNER_REMOVED_ALREADY.format(name="Acme", removed="?")
    nothing = present(Refused(RefusalCode.NOTHING_TO_CHANGE, value="Acme"))
    assert nothing.text == m.PARTNER_SET_NOTHING.format(name="Acme")
