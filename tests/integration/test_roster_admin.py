"""A roster admins can keep (issue 11): known values on every chat path, `invite` that never changes an
existing partner, `partner` show/set/remove, and `partners import --update` with topics. Runs on SQLite
and PostgreSQL through the local adapter."""

from __future__ import annotations

from datetime import date

from bot import messages as m
from bot.commands import Broadcast
from bot.domain import Audience, PartnerFilter
from bot.formats import day
from storage.tables import AnnouncementRow, ChannelRow, DeliveryRow, PartnerRow, SubscriptionRow
from tests.conftest import FakeClock
from tests.harness import ADMIN, ADMIN_CHANNEL, Harness
from tests.integration.support import broadcast_and_send, deliveries, rows, setup_topics

NOV_24 = day(date(2026, 11, 24))  # the clock's day, as the admin reads it

HEADER = "name,tier,type,region,language,timezone,platform,channel_id,workspace_id"


async def _roster(h: Harness) -> None:
    await setup_topics(h, "security", "pricing")
    await h.join("acme", "Acme GmbH", tier="gold", region="emea")
    await h.join("birch", "Birch", tier="silver", region="na")
    for channel in ("acme", "birch"):
        await h.partner(channel, "subscribe security")


# --- known values -------------------------------------------------------------------------------


async def test_a_typo_in_a_broadcast_filter_is_refused_before_any_draft(harness: Harness) -> None:
    await _roster(harness)
    for text, words in (
        (
            'broadcast topic:security tier:glod title:"Hi" Body',
            ['unknown tier "glod"', 'did you mean "gold"'],
        ),
        ('broadcast topic:security region:emaa title:"Hi" Body', ['did you mean "emea"', "na, latam, emea"]),
        ('broadcast topic:security type:resellr title:"Hi" Body', ['did you mean "reseller"']),
        ('broadcast topic:security language:english title:"Hi" Body', ["BCP 47"]),
    ):
        reply = await harness.admin(text)
        assert reply.is_error and all(w in reply.text for w in words), reply.text
    assert await rows(harness, AnnouncementRow) == []
    # Structured input (the Slack modal, Discord options, the CLI) meets the same check in the core.
    inv = harness.local.invocation(ADMIN, ADMIN_CHANNEL)
    command = Broadcast(("security",), Audience(tiers=frozenset({"glod"})), "Hi", "Body")
    refused = await harness.app.bot.run_admin(inv, command)
    assert refused.is_error and 'did you mean "gold"' in refused.text
    assert await rows(harness, AnnouncementRow) == []


async def test_values_the_roster_already_holds_stay_valid(harness: Harness, clock: FakeClock) -> None:
    await setup_topics(harness, "security")
    # An older roster imported before vocabularies existed holds region "amer" and tier "elite".
    async with harness.app.stores.directory._sessions.begin() as session:  # type: ignore[attr-defined]
        session.add(
            PartnerRow(name="Old Co", tier="elite", region="amer", language="en", created_at=clock.now())
        )
    invited = await harness.admin('invite "New Co" tier:elite region:amer')
    assert not invited.is_error, invited.text
    preview = await harness.admin('broadcast topic:security tier:elite region:amer title:"Hi" Body')
    assert "unknown" not in preview.text


async def test_invite_refuses_unknown_values_and_normalises_the_language(harness: Harness) -> None:
    refused = await harness.admin('invite "Acme GmbH" tier:platnum')
    assert refused.is_error and 'did you mean "platinum"' in refused.text
    assert await rows(harness, PartnerRow) == []
    ok = await harness.admin('invite "Acme GmbH" tier:gold language:pt-BR')
    assert not ok.is_error
    (partner,) = await rows(harness, PartnerRow)
    assert partner.language == "pt-br"


# --- invite of a partner that exists ----------------------------------------------------------------


async def test_invite_of_an_existing_partner_never_changes_it(harness: Harness) -> None:
    await _roster(harness)
    changed = await harness.admin('invite "Acme GmbH" tier:platinum region:apac')
    assert changed.is_error
    assert "tier gold · type reseller · region emea · language en" in changed.text
    assert '`partner set "Acme GmbH" tier:platinum region:apac`' in changed.text
    (acme,) = await rows(harness, PartnerRow, name="Acme GmbH")
    assert (acme.tier, acme.region) == ("gold", "emea")
    again = await harness.admin('invite "Acme GmbH" tier:gold')
    assert not again.is_error and "profile was not touched" in again.text
    code = again.text.split("`")[1]
    joined = await harness.partner("acme-2", f"join {code}")
    assert not joined.is_error and "Acme GmbH" in joined.text
    assert len(await rows(harness, PartnerRow)) == 2


# --- partner show / set / remove ---------------------------------------------------------------------


async def test_partner_card(harness: Harness, clock: FakeClock) -> None:
    await _roster(harness)
    await harness.partner("acme", "settings mode daily")
    await harness.partner("acme", "ask When do prices change?")
    card = await harness.admin("partner acme gmbh")
    assert not card.is_error
    assert card.text.startswith("**Acme GmbH**")
    assert "tier: gold · type: reseller · region: emea · language: en" in card.text
    assert "time zone: UTC" in card.text and "• 1 channel:" in card.text
    assert "local #acme · active · daily · topics: security" in card.text
    assert "(a question, reaction or acknowledgement)" in card.text
    unknown = await harness.admin('partner "Acme GmbG"')
    assert unknown.is_error and 'There\'s no partner "Acme GmbG" — did you mean "Acme GmbH"?' in unknown.text


async def test_partner_set_validates_and_says_what_changed(harness: Harness) -> None:
    await _roster(harness)
    changed = await harness.admin('partner set "Acme GmbH" tier:Platinum timezone:europe/berlin language:de')
    assert not changed.is_error
    assert changed.text == (
        "**Acme GmbH** updated: tier gold → platinum, timezone UTC → Europe/Berlin, language en → de."
    )
    (acme,) = await rows(harness, PartnerRow, name="Acme GmbH")
    assert (acme.tier, acme.timezone, acme.language) == ("platinum", "Europe/Berlin", "de")
    same = await harness.admin('partner set "Acme GmbH" tier:platinum')
    assert same.is_error and same.text == "**Acme GmbH** already has tier platinum; nothing was changed."
    for text, words in (
        ('partner set "Acme GmbH" tier:platnum', ['did you mean "platinum"']),
        ('partner set "Acme GmbH" timezone:Europe/Berln', ['did you mean "Europe/Berlin"']),
        ('partner set "Acme" tier:gold', ["There's no partner"]),
    ):
        reply = await harness.admin(text)
        assert reply.is_error and all(w in reply.text for w in words), reply.text
    (acme,) = await rows(harness, PartnerRow, name="Acme GmbH")
    assert acme.tier == "platinum"


async def test_partner_remove_switches_channels_off_and_keeps_history(harness: Harness) -> None:
    await _roster(harness)
    await harness.admin('topic add later "Later"')
    await harness.partner("acme", "subscribe later")
    first = await broadcast_and_send(harness, 'topic:security title:"Before"')
    await harness.deliver()
    # A scheduled broadcast is queued for acme when it is removed: it must never go out.
    pending = await broadcast_and_send(harness, 'topic:later at:"2026-11-25 09:00" title:"Later"')
    removed = await harness.admin('partner remove "Acme GmbH"')
    assert not removed.is_error
    assert removed.text.startswith("**Acme GmbH** removed: 1 channel switched off")
    (channel,) = await rows(harness, ChannelRow, channel_id="acme")
    assert (channel.active, channel.deactivated_reason) == (False, "partner removed")
    assert [d.status for d in await deliveries(harness, pending)] == ["failed"]
    assert len(await deliveries(harness, first)) == 2  # history kept
    (acme,) = await rows(harness, PartnerRow, name="Acme GmbH")
    assert acme.removed_at is not None
    assert [p.name for p, _ in await harness.app.stores.directory.partners()] == ["Birch"]
    # A command in its channel switches the channel back on, but it is not targeted any more.
    await harness.partner("acme", "list")
    again = await broadcast_and_send(harness, 'topic:security title:"After"')
    assert [d.channel_id for d in await deliveries(harness, again)] == [
        c.id for c in await rows(harness, ChannelRow, channel_id="birch")
    ]
    twice = await harness.admin('partner remove "Acme GmbH"')
    assert twice.is_error and f"was removed on {NOV_24}" in twice.text
    card = await harness.admin('partner "Acme GmbH"')
    assert f"(removed on {NOV_24})" in card.text
    # Inviting the name again brings it back, explicitly.
    back = await harness.admin('invite "Acme GmbH" tier:silver')
    assert not back.is_error and f"was removed on {NOV_24}; it is back" in back.text
    (acme,) = await rows(harness, PartnerRow, name="Acme GmbH")
    assert (acme.removed_at, acme.tier) == (None, "silver")


async def test_partner_help_lists_the_commands(harness: Harness) -> None:
    reply = await harness.admin("help")
    assert '`partner "<name>"`' in reply.text and "`partner remove" in reply.text
    one = await harness.admin("help partner")
    assert m.ADMIN_USAGE["partner"] in one.text


# --- import --update and topics ----------------------------------------------------------------------


async def test_import_update_topics_and_errors_by_line(harness: Harness) -> None:
    await _roster(harness)
    service = harness.app.bot.roster_import
    text = "\n".join(
        [
            HEADER + ",topics",
            "Acme GmbH,platinum,msp,apac,de,Europe/Berlin,local,acme,,pricing security",
            "Cedar,gold,isv,emea,en,UTC,local,cedar,,pricing",
        ]
    )
    refused = await service.import_csv(text)
    assert refused.errors == (
        "line 2: a partner named 'Acme GmbH' already exists (add --update to update existing partners)",
    )
    bad = await service.import_csv(
        text.replace("pricing security", "pricng") + "\nDune,glod,isv,emea,en,UTC,local,dune,,"
    )
    assert bad.errors[0] == "line 2: unknown topic 'pricng' (`partnerbot topics list`)"
    assert "already exists" in bad.errors[1]  # every problem at once, by line
    assert bad.errors[2].startswith('line 4: unknown tier "glod"')
    assert len(await rows(harness, PartnerRow)) == 2  # all or nothing

    report = await service.import_csv(text, update=True)
    assert report.ok and (report.partners, report.updated, report.channels) == (1, 1, 2)
    (acme,) = await rows(harness, PartnerRow, name="Acme GmbH")
    assert (acme.tier, acme.type, acme.region, acme.language, acme.timezone) == (
        "platinum",
        "msp",
        "apac",
        "de",
        "Europe/Berlin",
    )
    (cedar,) = await rows(harness, ChannelRow, channel_id="cedar")
    (acme_channel,) = await rows(harness, ChannelRow, channel_id="acme")
    subscribed = {(s.channel_id, s.topic_id) for s in await rows(harness, SubscriptionRow)}
    assert len([s for s in subscribed if s[0] == acme_channel.id]) == 2
    assert len([s for s in subscribed if s[0] == cedar.id]) == 1
    listed = await harness.app.stores.directory.partners(PartnerFilter(topics=frozenset({"pricing"})))
    assert [p.name for p, _ in listed] == ["Acme GmbH", "Cedar"]
    by_tier = await harness.app.stores.directory.partners(PartnerFilter(tiers=frozenset({"silver"})))
    assert [p.name for p, _ in by_tier] == ["Birch"]
    assert await rows(harness, DeliveryRow) == []


async def test_removing_a_partner_without_channels_says_so_in_a_sentence(harness: Harness) -> None:
    invited = await harness.admin('invite "Quiet Co" tier:silver')
    assert not invited.is_error, invited.text
    removed = await harness.admin('partner remove "Quiet Co"')
    assert not removed.is_error
    assert removed.text == m.PARTNER_REMOVED_NO_CHANNELS.format(name="Quiet Co")
    assert "0 channels" not in removed.text
