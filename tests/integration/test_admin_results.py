"""Admin topic commands, `cancel`, `reschedule`, `drafts` and acknowledgements as typed results
(issue 12): the services return what changed or the `Refused` with its code; bot/presenter/ words it
and the chat reply (local adapter) carries the code. Runs on SQLite and PostgreSQL (`harness`)."""

from __future__ import annotations

from datetime import datetime

from bot import messages as m
from bot.commands import Cancel, Invite, Reschedule, TopicAdd, TopicArchive, TopicUnarchive
from bot.domain import Platform, Refusal, RefusalCode
from bot.presenter import present
from bot.results import (
    AckListing,
    Acknowledged,
    Cancelled,
    Invited,
    Refused,
    Rescheduled,
    TopicAdded,
    TopicArchiveSet,
    TopicsOverview,
)
from tests.harness import ADMIN, ADMIN_CHANNEL, Harness
from tests.integration.support import broadcast_and_send, id_from, setup_topics


async def test_topic_commands_return_what_changed_or_the_refusal(harness: Harness) -> None:
    h = harness
    a = h.app.bot.admin
    assert await a.list_topics() == TopicsOverview(())
    added = await a.add_topic(TopicAdd("pricing", "Pricing"))
    assert isinstance(added, TopicAdded) and (added.topic.slug, added.topic.title) == ("pricing", "Pricing")
    assert await a.add_topic(TopicAdd("pricing", "Again")) == Refused(
        RefusalCode.TOPIC_EXISTS, "slug", value="pricing"
    )
    reply = await h.admin('topic add pricing "Again"')
    assert reply.text == m.TOPIC_EXISTS.format(slug="pricing")
    assert reply.refusal == Refusal(RefusalCode.TOPIC_EXISTS, "slug")
    await h.link("acme")
    assert not (await h.partner("acme", "subscribe pricing")).is_error
    overview = await a.list_topics()
    assert [(t.slug, followers) for t, followers in overview.topics] == [("pricing", 1)]
    assert (await h.admin("topics")).text == present(overview).text

    assert await a.unarchive_topic(TopicUnarchive("pricing")) == TopicArchiveSet("pricing", False, False)
    assert await a.archive_topic(TopicArchive("pricing")) == TopicArchiveSet("pricing", True)
    assert await a.unarchive_topic(TopicUnarchive("pricing")) == TopicArchiveSet("pricing", False)
    typo = await a.archive_topic(TopicArchive("pricng"))
    assert typo == Refused(RefusalCode.UNKNOWN_TOPIC, "slug", value="pricng", suggestion="pricing")
    reply = await h.admin("topic archive pricng")
    assert reply.refusal == Refusal(RefusalCode.UNKNOWN_TOPIC, "slug") and reply.text == present(typo).text


async def test_cancel_returns_the_cancelled_draft_or_why_not(harness: Harness) -> None:
    h = harness
    await setup_topics(h, "pricing")
    await h.link("acme")
    assert not (await h.partner("acme", "subscribe pricing")).is_error
    draft = id_from(await h.admin("broadcast topic:pricing title:Prices Out."))
    a = h.app.bot.admin
    assert await a.cancel(Cancel(draft)) == Cancelled(draft, "Prices")
    again = await a.cancel(Cancel(draft))
    assert again == Refused(RefusalCode.NOT_CANCELLABLE, announcement_id=draft, status="cancelled")
    reply = await h.admin(f"cancel {draft}")
    assert reply.refusal == Refusal(RefusalCode.NOT_CANCELLABLE) and reply.text == present(again).text
    assert await a.cancel(Cancel(99)) == Refused(RefusalCode.NO_SUCH_ANNOUNCEMENT, announcement_id=99)


async def test_acknowledgements_are_typed_results(harness: Harness) -> None:
    h = harness
    await setup_topics(h, "security")
    await h.join("acme", "Acme", tier="gold")
    await h.subscribe("acme", "security")
    announcement = await broadcast_and_send(h, 'topic:security urgent ack title:"Patch"', "Now.")
    acks = h.app.bot.acks
    assert await acks.listing(announcement) == AckListing(announcement, "Patch", ())
    await h.deliver()
    (post,) = h.posts("acme")
    pat = h.local.invocation("pat", "acme")

    async def press(user: str, channel: str = "acme") -> Acknowledged | Refused:
        inv = h.local.invocation(user, channel)
        return await acks.acknowledge(inv, platform=Platform.LOCAL, channel="acme", message=post.id)

    assert await press("pat") == Acknowledged()
    again = await press("pat")
    assert isinstance(again, Acknowledged) and again.by_caller and again.earlier is not None
    assert again.earlier.acked_by == pat.user.user
    colleague = await press("kim")
    assert isinstance(colleague, Acknowledged) and not colleague.by_caller
    assert await press("bo", "birch") == Refused(RefusalCode.NOT_AN_ANNOUNCEMENT)
    listing = await acks.listing(announcement)
    assert isinstance(listing, AckListing) and [s.partner_name for s in listing.states] == ["Acme"]
    assert (await h.admin(f"acks {announcement}")).text == present(listing).text
    plain = await broadcast_and_send(h, "topic:security title:FYI", "No ack.")
    refused = await acks.listing(plain)
    assert refused == Refused(RefusalCode.ACK_NOT_REQUIRED, announcement_id=plain)
    reply = await h.admin(f"acks {plain}")
    assert reply.refusal == Refusal(RefusalCode.ACK_NOT_REQUIRED) and reply.text == present(refused).text
    assert await acks.listing(99) == Refused(RefusalCode.NO_SUCH_ANNOUNCEMENT, announcement_id=99)


async def test_reschedule_and_drafts_are_typed_results(harness: Harness) -> None:
    h = harness
    await setup_topics(h, "pricing")
    await h.link("acme")
    assert not (await h.partner("acme", "subscribe pricing")).is_error
    draft = id_from(await h.admin("broadcast topic:pricing title:Later Not yet."))
    r = h.app.bot.rescheduling
    listed = await r.drafts()
    assert [(d.announcement.id, d.when) for d in listed.drafts] == [(draft, "")]
    assert (await h.admin("drafts")).rows == present(listed).rows
    at = Reschedule(draft, datetime(2026, 12, 5, 9, 0))
    moved = await r.reschedule(at)
    assert isinstance(moved, Rescheduled) and moved.was_draft and moved.announcement.id == draft
    assert moved.when.startswith("2026-12-05 09:00")
    (listed_draft,) = (await r.drafts()).drafts
    assert listed_draft.when == moved.when
    past = await r.reschedule(Reschedule(draft, datetime(2026, 11, 1, 9, 0)))
    assert isinstance(past, Refused) and past.code is RefusalCode.AT_PAST and past.field == "at"
    assert present(past).text == past.message and m.AT_FORMS_LIST in past.message
    assert await r.reschedule(Reschedule(99, at.send_at)) == Refused(
        RefusalCode.NO_SUCH_ANNOUNCEMENT, announcement_id=99
    )
    assert not (await h.admin(f"send {draft}")).is_error
    assert not (await h.admin(f"cancel {draft}")).is_error
    gone = await r.reschedule(at)
    assert gone == Refused(RefusalCode.NOT_RESCHEDULABLE, announcement_id=draft, status="cancelled")
    reply = await h.admin(f'reschedule {draft} at:"2026-12-05 09:00"')
    assert reply.refusal == Refusal(RefusalCode.NOT_RESCHEDULABLE) and reply.text == present(gone).text
    sent = await broadcast_and_send(h, "topic:pricing title:Now", "Body.")
    await h.deliver()
    too_late = await r.reschedule(Reschedule(sent, at.send_at))
    assert too_late == Refused(RefusalCode.RESCHEDULE_TOO_LATE, announcement_id=sent)


async def test_invite_returns_the_code_and_what_became_of_the_partner(harness: Harness) -> None:
    h = harness
    admin, roster = h.local.invocation(ADMIN, ADMIN_CHANNEL), h.app.bot.admin.roster
    new = await roster.invite(admin, Invite("Acme", tier="gold"))
    assert isinstance(new, Invited) and (new.partner.name, new.partner.tier, new.existed) == (
        "Acme",
        "gold",
        False,
    )
    assert new.expires > h.app.clock.now().date() and new.removed_on is None
    again = await roster.invite(admin, Invite("Acme", tier="gold"))
    assert isinstance(again, Invited) and again.existed and again.code != new.code
    changed = await roster.invite(admin, Invite("Acme", tier="silver"))
    assert isinstance(changed, Refused) and changed.code is RefusalCode.PARTNER_EXISTS
    assert changed.value == "Acme" and 'partner set "Acme" tier:silver' in changed.message
    assert await roster.invite(admin, Invite("Birch", tier="")) == Refused(RefusalCode.MISSING, "tier")
    typo = await roster.invite(admin, Invite("Birch", tier="gld"))
    assert isinstance(typo, Refused) and typo.code is RefusalCode.UNKNOWN_VALUE and typo.message
    reply = await h.admin('invite "Birch" tier:gld')
    assert reply.text == typo.message and reply.refusal == Refusal(RefusalCode.UNKNOWN_VALUE)
    assert not (await h.admin('partner remove "Acme"')).is_error
    back = await roster.invite(admin, Invite("Acme", tier="gold"))
    assert isinstance(back, Invited) and back.removed_on == h.app.clock.now().date()
    reply = await h.admin('invite "Cedar" tier:gold')
    assert reply.join_code is not None and f"`{reply.join_code}`" in reply.text
