"""Every `/partner-admin …` command, its refusals and its audit trail, as an admin types them."""

from __future__ import annotations

from dataclasses import replace
from datetime import time as _time
from datetime import timedelta

from babel.dates import format_time

from adapters.local.sender import Fault
from bot import messages as m
from bot.formats import day
from bot.presenter import TEST_ACTION
from bot.services.admin import CANCEL_ACTION, EDIT_ACTION, SEND_ACTION
from storage.tables import AnnouncementRow, AuditRow, DeliveryRow, PartnerRow, QuestionRow, TopicRow
from tests.conftest import FakeClock
from tests.harness import ADMIN, ADMIN_CHANNEL, Harness
from tests.integration.support import (
    announcement,
    broadcast_and_send,
    deliveries,
    fail_channels,
    id_from,
    replies_in_thread,
    rows,
    setup_topics,
    slack_invocation,
)

# 09:00 as English readers write it (Babel: "9:00 AM", with the narrow space CLDR puts before AM).
NINE_AM = format_time(_time(9, 0), format="short", locale="en")


async def _four_partners(h: Harness) -> None:
    """acme gold/emea, birch silver/na, cedar gold/apac, dune platinum/emea — all on `security`."""
    await setup_topics(h, "security", "pricing")
    await h.join("acme", "Acme", tier="gold", region="emea")
    await h.join("birch", "Birch", tier="silver", region="na")
    await h.join("cedar", "Cedar", tier="gold", region="apac")
    await h.join("dune", "Dune", tier="platinum", region="emea")
    for channel in ("acme", "birch", "cedar", "dune"):
        await h.subscribe(channel, "security")


# --- help ----------------------------------------------------------------------------------------


async def test_admin_help(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    reply = await h.admin("help")
    assert not reply.is_error
    for command in ("topic add", "invite", "broadcast", "send", "cancel", "stats", "questions", "answer"):
        assert f"`{command}" in reply.text
    one = await h.admin("help broadcast")
    # The example time is tomorrow 09:00 by the (fake) clock, which starts on 2026-11-24.
    about = m.ADMIN_ABOUT["broadcast"].replace(m.AT_EXAMPLE_SLOT, '"2026-11-25 09:00"')
    assert m.ADMIN_USAGE["broadcast"] in one.text and about in one.text
    unknown = await h.admin("brodcast topic:x")
    assert unknown.is_error and 'did you mean "broadcast"' in unknown.text


# --- topics -------------------------------------------------------------------------------------


async def test_topic_add_duplicate_archive_and_unknown(harness: Harness) -> None:
    added = await harness.admin('topic add security "Security advisories" "CVEs and patches"')
    assert not added.is_error
    assert added.text == m.TOPIC_ADDED.format(slug="security", title="Security advisories")
    assert not added.ephemeral

    duplicate = await harness.admin('topic add security "Another title"')
    assert duplicate.is_error and duplicate.text == m.TOPIC_EXISTS.format(slug="security")
    (topic,) = await rows(harness, TopicRow)
    assert (topic.title, topic.description, topic.archived) == (
        "Security advisories",
        "CVEs and patches",
        False,
    )
    # The failed insert left the database usable.
    assert not (await harness.admin('topic add pricing "Pricing"')).is_error

    archived = await harness.admin("topic archive pricing")
    assert not archived.is_error and archived.text == m.TOPIC_ARCHIVED.format(slug="pricing")
    assert [t.slug for t in await rows(harness, TopicRow, archived=True)] == ["pricing"]
    unknown = await harness.admin("topic archive securty")
    assert unknown.is_error
    assert 'unknown topic "securty"' in unknown.text and 'did you mean "security"' in unknown.text
    assert [t.slug for t in await rows(harness, TopicRow, archived=True)] == ["pricing"]


async def test_admin_topics_lists_archived_ones_and_unarchive_brings_one_back(harness: Harness) -> None:
    h = harness
    assert (await h.admin("topics")).text == m.ADMIN_NO_TOPICS
    await h.admin('topic add security "Security advisories"')
    await h.admin('topic add pricing "Pricing"')
    await h.subscribe("acme", "security pricing")
    await h.subscribe("birch", "security")
    await h.admin("topic archive pricing")

    listed = await h.admin("topics")
    assert not listed.is_error
    assert listed.text.splitlines() == [
        "**2 topics** (1 archived)",
        "• `pricing` — Pricing _(archived)_ · 1 channel follows it · last 30 days: 0 delivered, "
        "1 proactive action, 0 reactive actions",
        "• `security` — Security advisories · 2 channels follow it · last 30 days: 0 delivered, "
        "2 proactive actions, 0 reactive actions",
    ]
    # Partners still see only the active one.
    assert [r.button.value for r in (await h.partner("acme", "topics")).rows if r.button] == ["security"]

    back = await h.admin("topic unarchive pricing")
    assert not back.is_error and back.text == m.TOPIC_UNARCHIVED.format(slug="pricing")
    assert await rows(h, TopicRow, archived=True) == []
    offered = [r.button.value for r in (await h.partner("acme", "topics")).rows if r.button]
    assert offered == ["pricing", "security"]
    assert not (await h.admin('broadcast topic:pricing title:"Q3" New lists.')).is_error
    assert "1 archived" not in (await h.admin("topics")).text

    again = await h.admin("topic unarchive pricing")
    assert not again.is_error and again.text == m.TOPIC_NOT_ARCHIVED.format(slug="pricing")
    unknown = await h.admin("topic unarchive pricng")
    assert unknown.is_error and 'unknown topic "pricng"' in unknown.text and '"pricing"' in unknown.text
    usage = await h.admin("topic unarchive")
    assert usage.is_error and m.TOPIC_UNARCHIVE_USAGE in usage.text
    typo = await h.admin("topic unarchve pricing")
    assert typo.is_error and 'did you mean "unarchive"' in typo.text
    helped = await h.admin("help topics")
    assert m.ADMIN_ABOUT["topics"] in helped.text
    assert "`topics`" in (await h.admin("help")).text and "topic unarchive" in (await h.admin("help")).text


async def test_topic_add_usage_errors(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    assert (await h.admin("topic add security")).is_error
    unquoted = await h.admin("topic add security Security advisories")
    assert unquoted.is_error and unquoted.text == m.TOPIC_TITLE_QUOTES
    action = await h.admin("topic archve security")
    assert action.is_error and 'did you mean "archive"' in action.text
    assert await rows(h, TopicRow) == []


# --- invite -------------------------------------------------------------------------------------


async def test_invite_creates_partner_and_one_time_code(harness: Harness, clock: FakeClock) -> None:
    reply = await harness.admin('invite "Acme GmbH" tier:Gold type:msp region:emea language:de')
    assert not reply.is_error, reply.text
    code = reply.text.split("`")[1]
    assert code.startswith("PB-") and len(code) == len("PB-XXXX-XXXX")
    expires = clock.now() + timedelta(days=harness.app.settings.invite_ttl_days)
    assert f"valid until {day(expires.date())}" in reply.text  # as the admin reads it (Babel)
    assert f"/partner join {code}" in reply.text
    (partner,) = await rows(harness, PartnerRow)
    assert (partner.name, partner.tier, partner.type, partner.region, partner.language) == (
        "Acme GmbH",
        "gold",
        "msp",
        "emea",
        "de",
    )
    # Inviting it again with another tier changes nothing (issue 11): it says so and how to change it.
    again = await harness.admin('invite "Acme GmbH" tier:platinum')
    assert again.is_error and "already a partner" in again.text
    assert "tier gold · type msp · region emea · language de" in again.text
    assert '`partner set "Acme GmbH" tier:platinum`' in again.text and "PB-" not in again.text
    (partner,) = await rows(harness, PartnerRow)
    assert partner.tier == "gold" and partner.region == "emea"
    # With the tier it has, it gets a code for another of its channels, its profile untouched.
    second = await harness.admin('invite "acme gmbh" tier:gold')
    assert not second.is_error and "profile was not touched" in second.text
    assert second.text.split("`")[1].startswith("PB-") and second.text.split("`")[1] != code
    (partner,) = await rows(harness, PartnerRow)
    assert (partner.name, partner.tier, partner.type) == ("Acme GmbH", "gold", "msp")


async def test_invite_usage_errors(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    no_tier = await h.admin('invite "Acme GmbH" region:emea')
    assert no_tier.is_error and no_tier.text == m.TIER_MISSING
    no_name = await h.admin("invite tier:gold")
    assert no_name.is_error and no_name.text == m.NAME_MISSING
    assert await rows(h, PartnerRow) == []


async def test_invite_with_over_long_values_gets_a_friendly_answer(harness: Harness) -> None:
    for text in (
        'invite "' + "A" * 210 + '" tier:gold',
        'invite "Acme" tier:' + "g" * 45,
        'invite "Acme" tier:gold language:' + "e" * 25,
    ):
        reply = await harness.admin(text)
        assert reply.is_error and "too long" in reply.text, text


# --- broadcast, preview, send, cancel -----------------------------------------------------------


async def test_broadcast_preview_splits_reach_by_platform_tier_and_region(harness: Harness) -> None:
    await _four_partners(harness)
    # An unlinked Slack channel, registered the way the Slack adapter will do it (open subscriptions).
    harness.app.bot.settings.open_subscriptions = True
    slack = await harness.app.bot.partner_command(slack_invocation("C0SLACK"), "subscribe security")
    assert not slack.is_error, slack.text

    preview = await harness.admin('broadcast topic:security title:"Patch Tuesday" Patch *now*, please.')
    assert not preview.is_error, preview.text
    assert "**Preview of announcement #1** (draft)" in preview.text
    assert "**Patch Tuesday**\nPatch *now*, please." in preview.text
    assert "Topics: security · Audience: all partners" in preview.text
    assert "**Reach:** 5 channels of 4 partners" in preview.text
    assert "by platform: local 4, slack 1" in preview.text
    assert "by tier: gold 2, platinum 1, silver 1, unlinked 1" in preview.text
    assert "by region: emea 2, apac 1, na 1, unlinked 1" in preview.text
    assert [(b.label, b.action, b.value) for b in preview.buttons] == [
        (m.SEND_BUTTON, SEND_ACTION, "1"),
        (m.EDIT_BUTTON, EDIT_ACTION, "1"),
        (m.CANCEL_BUTTON, CANCEL_ACTION, "1"),
        (m.TEST_BUTTON, TEST_ACTION, "1"),
    ]
    assert not preview.ephemeral
    # A draft only: nothing queued, nothing posted.
    assert (await announcement(harness, 1)).status == "draft"
    assert await deliveries(harness) == []

    narrowed = await harness.admin('broadcast topic:security tier:gold,platinum region:emea title:"T" B')
    assert "**Reach:** 2 channels of 2 partners" in narrowed.text
    assert "by tier: gold 1, platinum 1" in narrowed.text
    assert "Audience: tier: gold, platinum; region: emea" in narrowed.text
    # type: and language: filter too (the harness's partners are English-speaking resellers).
    by_type = await harness.admin('broadcast topic:security type:msp title:"T" B')
    assert by_type.is_error and "would reach **no channel**" in by_type.text
    by_language = await harness.admin('broadcast topic:security type:reseller language:en title:"T" B')
    assert "**Reach:** 4 channels of 4 partners" in by_language.text


async def test_broadcast_to_unknown_or_archived_topic(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    await setup_topics(h, "security", "legacy")
    await h.subscribe("acme", "security legacy")
    await h.admin("topic archive legacy")

    unknown = await h.admin('broadcast topic:secutiry title:"T" Body')
    assert unknown.is_error
    assert 'unknown topic "secutiry"' in unknown.text and 'did you mean "security"' in unknown.text
    archived = await h.admin('broadcast topic:security,legacy title:"T" Body')
    assert archived.is_error and archived.text == m.TOPIC_IS_ARCHIVED.format(slug="legacy")
    assert await rows(h, AnnouncementRow) == []


async def test_broadcast_usage_errors(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    await setup_topics(h, "security")
    no_topic = await h.admin('broadcast title:"T" Body')
    assert no_topic.is_error and no_topic.text == m.BROADCAST_TOPIC_MISSING
    no_body = await h.admin('broadcast topic:security title:"T"')
    assert no_body.is_error and no_body.text == m.BODY_EMPTY
    too_long = await h.admin('broadcast topic:security title:"T" ' + "x" * 3001)
    assert too_long.is_error and "3001 characters" in too_long.text
    assert await rows(h, AnnouncementRow) == []


async def test_broadcast_at_a_later_time_is_not_posted_before_then(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    await setup_topics(h, "pricing")
    await h.subscribe("acme", "pricing")
    preview = await h.admin('broadcast topic:pricing at:"2026-12-01 09:00" title:"Later" Not yet.')
    if not preview.is_error:  # scheduling supported: sending must wait for the time given
        await h.admin("send 1")
        await h.deliver()
    assert h.posts("acme") == []


async def test_empty_audience_is_reported_in_the_preview_and_send_refused(harness: Harness) -> None:
    await _four_partners(harness)
    preview = await harness.admin('broadcast topic:security tier:registered title:"Nobody" Hello?')
    assert preview.is_error
    assert "would reach **no channel**" in preview.text and "tier: registered" in preview.text
    assert preview.buttons == ()  # nothing to press
    assert "**Reach:**" not in preview.text

    refused = await harness.admin("send 1")
    assert refused.is_error
    assert refused.text == m.EMPTY_AUDIENCE.format(id=1, audience="tier: registered")
    assert (await announcement(harness, 1)).status == "draft"
    assert await deliveries(harness) == []
    await harness.deliver()
    assert all(harness.posts(c) == [] for c in ("acme", "birch", "cedar", "dune"))
    # Nobody follows `pricing` at all: the same warning.
    nobody = await harness.admin('broadcast topic:pricing title:"Prices" New prices.')
    assert nobody.is_error and "would reach **no channel**" in nobody.text


async def test_send_then_send_again_and_unknown_id(harness: Harness) -> None:
    await _four_partners(harness)
    await harness.admin('broadcast topic:security tier:gold title:"Patch" Patch now.')
    sent = await harness.admin("send 1")
    assert not sent.is_error
    # The count is the rows written (PostgreSQL once reported -1 here: rowcount of INSERT … SELECT).
    assert sent.text == m.SENDING.format(id=1, title="Patch", channels=m.CHANNELS(2))
    assert (await announcement(harness, 1)).status == "sending"
    assert len(await deliveries(harness, 1)) == 2

    twice = await harness.admin("send 1")
    assert twice.is_error and twice.text == m.NOT_A_DRAFT["sending"].format(id=1)
    await harness.deliver()
    assert (await announcement(harness, 1)).status == "sent"
    after = await harness.admin("send 1")
    assert after.is_error and after.text == m.NOT_A_DRAFT["sent"].format(id=1)
    assert len(await deliveries(harness, 1)) == 2
    assert [len(harness.posts(c)) for c in ("acme", "birch", "cedar", "dune")] == [1, 0, 1, 0]

    unknown = await harness.admin("send 99")
    assert unknown.is_error and unknown.text == m.NO_SUCH_ANNOUNCEMENT.format(id=99)


async def test_cancel_draft_and_refuse_cancelling_a_sent_one(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    await _four_partners(h)
    await h.admin('broadcast topic:security title:"Oops" Wrong text.')
    cancelled = await h.admin("cancel 1")
    assert not cancelled.is_error and cancelled.text == m.CANCELLED.format(id=1, title="Oops")
    assert (await announcement(h, 1)).status == "cancelled"
    not_now = await h.admin("send 1")
    assert not_now.is_error and not_now.text == m.NOT_A_DRAFT["cancelled"].format(id=1)

    await broadcast_and_send(h, 'topic:security title:"Real"')
    await h.deliver()
    late = await h.admin("cancel 2")
    assert late.is_error and late.text == m.CANNOT_CANCEL["sent"].format(id=2)
    unknown = await h.admin("cancel 42")
    assert unknown.is_error and unknown.text == m.NO_SUCH_ANNOUNCEMENT.format(id=42)
    await h.deliver()
    assert all(len(h.posts(c)) == 1 for c in ("acme", "birch", "cedar", "dune"))
    assert "Wrong text." not in "".join(msg.text for msg in h.posts("acme"))


async def test_preview_send_and_cancel_buttons(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    await _four_partners(h)
    first = await h.admin('broadcast topic:security title:"One" First.')
    second = await h.admin('broadcast topic:security title:"Two" Second.')
    send = next(b for b in first.buttons if b.action == SEND_ACTION)
    cancel = next(b for b in second.buttons if b.action == CANCEL_ACTION)

    # A colleague without admin rights cannot press them.
    refused = await h.local.press("bob", ADMIN_CHANNEL, send.action, send.value)
    assert refused.is_error and refused.text == m.ADMIN_ONLY_FOR_ADMINS
    assert (await announcement(h, 1)).status == "draft"

    pressed = await h.local.press(ADMIN, ADMIN_CHANNEL, send.action, send.value)
    assert not pressed.is_error and pressed.text == m.SENDING.format(
        id=1, title="One", channels=m.CHANNELS(4)
    )
    pressed = await h.local.press(ADMIN, ADMIN_CHANNEL, cancel.action, cancel.value)
    assert not pressed.is_error and pressed.text == m.CANCELLED.format(id=2, title="Two")
    # Pressing Send again on the first preview is refused like `send 1`.
    again = await h.local.press(ADMIN, ADMIN_CHANNEL, send.action, send.value)
    assert again.is_error and again.text == m.NOT_A_DRAFT["sending"].format(id=1)
    stale = await h.local.press(ADMIN, ADMIN_CHANNEL, SEND_ACTION, "not-a-number")
    assert stale.is_error and stale.text == m.BUTTON_EXPIRED

    await h.deliver()
    assert [len(h.posts(c)) for c in ("acme", "birch", "cedar", "dune")] == [1, 1, 1, 1]
    assert [s.status for s in await rows(h, AnnouncementRow)] == ["sent", "cancelled"]


# --- digest-mode channels -----------------------------------------------------------------------


async def test_digest_holding_switched_off_delivers_at_once(harness: Harness) -> None:
    """`hold_digests` off (a vendor without digests): digest-mode channels get everything at once."""
    harness.app.bot.admin.hold_digests = False
    await _four_partners(harness)
    reply = await harness.partner("acme", "settings mode daily")
    assert not reply.is_error and f"daily digest, every day at {NINE_AM} (UTC)" in reply.text
    preview = await harness.admin('broadcast topic:security title:"Normal" Not urgent.')
    assert "digest" not in preview.text.split("**Reach:**")[1]
    await harness.admin("send 1")
    await harness.deliver()
    assert [len(harness.posts(c)) for c in ("acme", "birch", "cedar", "dune")] == [1, 1, 1, 1]
    assert "in digest 0" in (await harness.admin("stats 1")).text


async def test_digest_channels_are_held_except_for_urgent(harness: Harness) -> None:
    assert harness.app.bot.admin.hold_digests  # on by default: the `digests` job sends them
    await _four_partners(harness)
    assert not (await harness.partner("acme", "settings mode daily")).is_error
    assert not (await harness.partner("birch", "settings mode weekly")).is_error

    preview = await harness.admin('broadcast topic:security title:"Normal" Not urgent.')
    assert "**Reach:** 4 channels" in preview.text
    # The clock says Tuesday 09:00 UTC: today's daily digest takes it; the weekly one is on Monday.
    until = m.WAIT_RANGE.format(first="2026-11-24 09:00 UTC", last="2026-11-30 09:00 UTC")
    assert m.WAIT_DIGEST(2, until=until) in preview.text
    await harness.admin("send 1")
    await harness.deliver()
    assert [len(harness.posts(c)) for c in ("acme", "birch", "cedar", "dune")] == [0, 0, 1, 1]
    by_channel = {d.channel_id: d.status for d in await deliveries(harness, 1)}
    assert sorted(by_channel.values()) == ["digest", "digest", "sent", "sent"]
    assert "in digest 2" in (await harness.admin("stats 1")).text

    urgent = await harness.admin('broadcast topic:security urgent title:"Breach" Rotate keys now.')
    assert m.URGENT_MARK in urgent.text
    assert "digest" not in urgent.text.split("**Reach:**")[1]
    await harness.admin("send 2")
    await harness.deliver()
    assert [len(harness.posts(c)) for c in ("acme", "birch", "cedar", "dune")] == [1, 1, 2, 2]
    assert "URGENT" in harness.posts("acme")[0].text and "Rotate keys now." in harness.posts("acme")[0].text
    assert {d.status for d in await deliveries(harness, 2)} == {"sent"}


# --- stats --------------------------------------------------------------------------------------


async def test_stats_for_one_announcement(harness: Harness) -> None:
    await _four_partners(harness)
    await harness.join("eve", "Eve", tier="gold", region="na")
    await harness.subscribe("eve", "security")
    await harness.partner("eve", "settings mode daily")
    fail_channels(
        harness,
        {
            "birch": Fault("permanent", reason="channel_not_found"),
            "dune": Fault("transient", reason="server error"),
        },
    )
    await broadcast_and_send(harness, 'topic:security title:"Patch"')
    await harness.deliver()

    acme, cedar = harness.posts("acme")[0], harness.posts("cedar")[0]
    await harness.local.react("pat", acme, "thumbsup")
    await harness.local.react("kim", acme, "thumbsup")
    await harness.local.react("pat", cedar, "tada")
    await harness.local.say("pat", "acme", "Does this cover v2?", thread=acme.id)
    await harness.local.say("pat", "cedar", "And v1?", thread=cedar.id)
    await harness.deliver()
    assert not (await harness.admin("answer 1 Yes.")).is_error

    stats = await harness.admin("stats 1")
    assert not stats.is_error
    text = stats.text
    assert "**#1 Patch** — being sent" in text  # dune is still waiting for its retry
    assert "targeted 5 · delivered 2 · failed 1 · pending 1 · in digest 1" in text
    assert "reactions: thumbsup 2, tada 1" in text
    assert "questions: 2 asked, 1 answered" in text
    assert "reach by tier: gold 2" in text
    assert "reach by region: apac 1, emea 1" in text
    assert "failures: channel_not_found 1" in text

    unknown = await harness.admin("stats 7")
    assert unknown.is_error and unknown.text == m.NO_SUCH_ANNOUNCEMENT.format(id=7)


async def test_stats_without_id_lists_recent_and_per_topic(harness: Harness) -> None:
    empty = await harness.admin("stats")
    assert not empty.is_error and empty.text == m.NO_ANNOUNCEMENTS_YET

    await _four_partners(harness)
    await harness.subscribe("acme", "pricing")
    await broadcast_and_send(harness, 'topic:security title:"Patch"')
    await broadcast_and_send(harness, 'topic:pricing title:"Prices"')
    await harness.admin('broadcast topic:security title:"Draft" later')
    await harness.deliver()
    await harness.local.react("pat", harness.posts("acme")[0], "eyes")

    text = (await harness.admin("stats")).text
    assert m.STATS_RECENT_HEADER in text and m.STATS_TOPICS_HEADER in text
    assert "• #1 Patch — sent: 4/4 delivered, 0 failed, 1 reaction, 0 questions" in text
    assert "• #2 Prices — sent: 1/1 delivered" in text
    assert "• #3 Draft — draft: 0/0 delivered" in text
    assert text.index("#3 Draft") < text.index("#1 Patch")  # latest first
    assert "• `pricing`: 1 announcement, 1 delivered, 0 reactions" in text
    assert "• `security`: 1 announcement, 4 delivered, 1 reaction" in text


# --- questions and answers ----------------------------------------------------------------------


async def test_questions_and_answer_relayed_into_the_partner_thread(harness: Harness) -> None:
    assert (await harness.admin("questions")).text == m.NO_OPEN_QUESTIONS
    await _four_partners(harness)
    await broadcast_and_send(harness, 'topic:security title:"Patch"')
    await harness.deliver()
    post = harness.posts("acme")[0]
    asked = await harness.local.say("pat", "acme", "Is v2 affected?", thread=post.id)
    assert asked is not None and not asked.is_error
    await harness.partner("birch", "ask Where is the price list?")
    await harness.deliver()

    listed = await harness.admin("questions")
    assert listed.text.startswith(m.OPEN_QUESTIONS(2))
    assert "• #1 Acme (gold, local) on #1: Is v2 affected?" in listed.text
    assert f"• #2 Birch (silver, local) on {m.DIRECT_QUESTION}: Where is the price list?" in listed.text

    answered = await harness.admin("answer 1 Yes, v2.3 and later.")
    assert not answered.is_error and answered.text == m.ANSWER_QUEUED.format(id=1, partner="Acme")
    await harness.deliver()
    in_thread = replies_in_thread(harness, "acme", post.id)
    assert len(in_thread) == 1
    assert "Yes, v2.3 and later." in in_thread[0].text and "Is v2 affected?" in in_thread[0].text
    assert "alice" in in_thread[0].text
    assert [q.status for q in await rows(harness, QuestionRow)] == ["answered", "open"]
    assert m.OPEN_QUESTIONS(1) in (await harness.admin("questions")).text

    unknown = await harness.admin("answer 99 Hello")
    assert unknown.is_error and unknown.text == m.NO_SUCH_QUESTION.format(id=99)
    usage = await harness.admin("answer 2")
    assert usage.is_error and m.ADMIN_USAGE["answer"] in usage.text


# --- who may run admin commands -----------------------------------------------------------------


async def test_admin_commands_are_refused_outside_the_admin_channel_and_for_non_admins(
    harness: Harness,
) -> None:
    outside = await harness.admin('topic add security "Security"', channel="acme")
    assert outside.is_error and outside.text == m.ADMIN_ONLY_IN_ADMIN_CHANNEL
    not_admin = await harness.admin('topic add security "Security"', user="bob")
    assert not_admin.is_error and not_admin.text == m.ADMIN_ONLY_FOR_ADMINS
    assert await rows(harness, TopicRow) == []
    ok = await harness.admin('topic add pricing "Pricing"')
    assert not ok.is_error

    audit = await rows(harness, AuditRow)
    assert [(a.user_id, a.channel_id, a.action, a.allowed) for a in audit] == [
        ("alice", "local:acme", "refused", False),
        ("bob", "local:admin", "refused", False),
        ("alice", "local:admin", "topicadd", True),
    ]
    assert audit[0].detail.startswith("outside admin channel: ") and "topic" in audit[0].detail.lower()
    assert audit[1].detail.startswith("not an admin: ") and "topic" in audit[1].detail.lower()
    assert audit[2].detail == 'topic add pricing "Pricing"'
    assert audit[0].at == harness.app.clock.now()


async def test_refused_unparseable_admin_text_is_audited_verbatim(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    reply = await h.admin("drop everything", user="mallory", channel="acme")
    assert reply.is_error and reply.text == m.ADMIN_ONLY_IN_ADMIN_CHANNEL
    (row,) = await rows(h, AuditRow)
    assert (row.user_id, row.allowed, row.detail) == (
        "mallory",
        False,
        "outside admin channel: drop everything",
    )


async def test_a_platform_admin_group_member_is_an_admin(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    member = h.local.invocation("carol", ADMIN_CHANNEL)
    refused = await h.app.bot.admin_command(member, 'topic add security "Security"')
    assert refused.is_error and refused.text == m.ADMIN_ONLY_FOR_ADMINS
    # The adapter found carol in a configured admin user group / role.
    allowed = await h.app.bot.admin_command(replace(member, platform_admin=True), 'topic add security "S"')
    assert not allowed.is_error, allowed.text
    assert [(a.user_id, a.allowed) for a in await rows(h, AuditRow)] == [("carol", False), ("carol", True)]


async def test_mention_runs_admin_grammar_in_admin_channel_and_partner_grammar_elsewhere(
    sqlite_harness: Harness,
) -> None:
    h = sqlite_harness
    await setup_topics(h, "security")
    as_admin = await h.local.say(ADMIN, ADMIN_CHANNEL, "@partnerbot stats")
    assert as_admin is not None and as_admin.text == m.NO_ANNOUNCEMENTS_YET
    partner_word = await h.local.say(ADMIN, ADMIN_CHANNEL, "@partnerbot list")
    assert partner_word is not None and partner_word.is_error
    assert 'unknown command "list"' in partner_word.text

    await h.link("acme")
    as_partner = await h.local.say("pat", "acme", "@partnerbot subscribe security")
    assert as_partner is not None and not as_partner.is_error
    listed = await h.local.say("pat", "acme", "@partnerbot list")
    assert listed is not None and "`security`" in listed.text
    admin_word = await h.local.say(ADMIN, "acme", '@partnerbot topic add x "X"')
    assert admin_word is not None and admin_word.is_error
    assert 'did you mean "topics"' in admin_word.text
    assert [t.slug for t in await rows(h, TopicRow)] == ["security"]

    by_colleague = await h.local.say("bob", ADMIN_CHANNEL, "@partnerbot stats")
    assert by_colleague is not None and by_colleague.text == m.ADMIN_ONLY_FOR_ADMINS
    # Plain chatter gets no answer.
    assert await h.local.say("pat", "acme", "hello partnerbot") is None


async def test_broadcast_from_a_mention_in_the_admin_channel(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    await _four_partners(h)
    preview = await h.local.say(
        ADMIN, ADMIN_CHANNEL, '@partnerbot broadcast topic:security title:"Hi" Hello.'
    )
    assert preview is not None and not preview.is_error
    assert id_from(preview) == 1
    assert (await rows(h, DeliveryRow)) == []
