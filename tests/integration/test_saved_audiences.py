"""Saved audiences on SQLite and PostgreSQL: save/replace/list/show/delete and their refusals, and
`broadcast audience:<name>` resolved when it is sent — an audience edited between draft and send
targets its new members."""

from __future__ import annotations

from storage.tables import AnnouncementRow, AuditRow, SavedAudienceRow
from tests.harness import Harness
from tests.integration.support import announcement, deliveries, id_from, rows, setup_topics


async def _partners(h: Harness) -> None:
    await setup_topics(h, "security", "pricing")
    await h.join("acme", "Acme", tier="gold", region="emea")
    await h.join("globex", "Globex", tier="silver", region="emea")
    await h.join("initech", "Initech", tier="gold", region="na")
    for channel in ("acme", "globex", "initech"):
        await h.partner(channel, "subscribe security pricing")


async def test_save_list_show_and_delete(harness: Harness) -> None:
    h = harness
    await _partners(h)

    saved = await h.admin("audience save emea-gold tier:gold region:emea")
    assert not saved.is_error, saved.text
    assert "“emea-gold” (tier: gold · region: emea)" in saved.text
    assert "reaches 1 channel of 1 partner now" in saved.text

    await h.admin("audience save golds tier:gold topic:security")
    listed = await h.admin("audience list")
    assert "**2 saved audiences**" in listed.text
    assert "• `emea-gold` — tier: gold · region: emea · reaches 1 channel of 1 partner now" in listed.text
    assert "• `golds` — tier: gold · topics: security · reaches 2 channels of 2 partners now" in listed.text

    shown = await h.admin("audience show EMEA-Gold")
    assert "**Audience “emea-gold”** — tier: gold · region: emea" in shown.text
    assert "It reaches 1 channel of 1 partner now; saved" in shown.text and "by alice" in shown.text

    deleted = await h.admin("audience delete golds")
    assert deleted.text == "🗑️ Saved audience “golds” deleted."
    assert [row.name for row in await rows(h, SavedAudienceRow)] == ["emea-gold"]
    # Audited like every admin command.
    actions = [row.action for row in await rows(h, AuditRow) if row.action.startswith("audience")]
    assert actions == ["audiencesave", "audiencesave", "audiencelist", "audienceshow", "audiencedelete"]


async def test_saving_an_existing_name_replaces_it_and_says_what_changed(harness: Harness) -> None:
    h = harness
    await _partners(h)
    await h.admin("audience save emea-gold tier:gold region:emea")

    replaced = await h.admin("audience save emea-gold tier:gold,silver region:emea topic:pricing")

    assert "replaced: tier gold → gold, silver; topic none → pricing" in replaced.text
    assert "It reaches 2 channels of 2 partners now." in replaced.text
    same = await h.admin("audience save emea-gold tier:silver,gold region:emea topic:pricing")
    assert same.text.endswith("nothing changed.")
    [row] = await rows(h, SavedAudienceRow)
    assert row.audience["tiers"] == ["gold", "silver"] and row.topics == ["pricing"]


async def test_refusals(harness: Harness) -> None:
    h = harness
    await _partners(h)
    await h.admin("audience save emea-gold tier:gold region:emea")

    cases = {
        "audience save emea-gold tier:golf": 'unknown tier "golf" — did you mean "gold"?',
        "audience save emea-gold region:mars": 'unknown region "mars"',
        "audience save emea-gold topic:secrity": 'unknown topic "secrity" — did you mean "security"?',
        "audience save emea-gold": "at least one filter",
        'audience save "EMEA Gold" tier:gold': "can't be an audience name",
        "audience save tier:gold": "can't be an audience name",
        "audience save emea-gold gold": "isn't an option",
        "audience show emea-glod": 'no saved audience "emea-glod" — did you mean "emea-gold"?',
        "audience delete nobody": 'no saved audience "nobody".',
        "audience frobnicate": 'unknown `audience` action "frobnicate"',
        "audience list extra": "Usage: `audience list`",
        "audience": "Usage:",
    }
    for command, fragment in cases.items():
        reply = await h.admin(command)
        assert reply.is_error, command
        assert fragment in reply.text, (command, reply.text)
    [row] = await rows(h, SavedAudienceRow)
    assert row.audience == {"tiers": ["gold"], "types": [], "regions": ["emea"], "languages": []}
    # Admin only, in the admin channel only.
    outside = await h.admin("audience list", channel="acme")
    assert outside.is_error and "admin channel" in outside.text


async def test_broadcast_to_a_saved_audience_is_resolved_when_sent(harness: Harness) -> None:
    h = harness
    await _partners(h)
    await h.admin("audience save emea-gold tier:gold region:emea")

    preview = await h.admin('broadcast audience:emea-gold topic:security title:"Patch" Please update.')
    assert not preview.is_error, preview.text
    assert "audience “emea-gold” (tier: gold · region: emea) — resolved when sent" in preview.text
    draft = id_from(preview)
    row = await announcement(h, draft)
    assert row.audience_name == "emea-gold"

    # Edited between draft and send: the draft follows it.
    await h.admin("audience save emea-gold tier:gold,silver region:emea")
    current = await h.app.stores.announcements.get(draft)
    assert current is not None and current.audience.tiers == {"gold", "silver"}
    sent = await h.admin(f"send {draft}")
    assert not sent.is_error, sent.text
    await h.deliver()

    assert len(h.posts("acme")) == 1 and len(h.posts("globex")) == 1 and h.posts("initech") == []
    assert len(await deliveries(h, draft)) == 2
    sent_row = await announcement(h, draft)
    assert sent_row.audience["tiers"] == ["gold", "silver"]  # the filters it went out with
    # Changing the audience afterwards changes nothing about a sent announcement.
    await h.admin("audience save emea-gold tier:platinum")
    again = await h.app.stores.announcements.get(draft)
    assert again is not None and again.audience.tiers == {"gold", "silver"}


async def test_the_saved_audience_topics_fill_in_and_conflicts_are_refused(harness: Harness) -> None:
    h = harness
    await _partners(h)
    await h.admin("audience save gold-sec tier:gold topic:security")
    await h.admin("audience save emea region:emea")

    uses_topics = await h.admin('broadcast audience:gold-sec title:"Patch" Please update.')
    assert not uses_topics.is_error and "Topics: security" in uses_topics.text

    cases = {
        'broadcast audience:gold-sec topic:pricing title:"X" Body.': "and this broadcast names pricing",
        'broadcast audience:emea title:"X" Body.': "names no topics, so say which topics",
        'broadcast audience:emea tier:gold topic:security title:"X" Body.': "so `tier:` can't go beside it",
        'broadcast audience:nope topic:security title:"X" Body.': 'no saved audience "nope"',
        'broadcast audience:"Not a slug" topic:security title:"X" Body.': "can't be an audience name",
    }
    for command, fragment in cases.items():
        reply = await h.admin(command)
        assert reply.is_error, command
        assert fragment in reply.text, (command, reply.text)
    same = await h.admin('broadcast audience:gold-sec topic:security title:"Same" Body.')
    assert not same.is_error, same.text
    assert len(await rows(h, AnnouncementRow)) == 2


async def test_an_audience_an_open_draft_uses_cannot_be_deleted(harness: Harness) -> None:
    h = harness
    await _partners(h)
    await h.admin("audience save emea-gold tier:gold region:emea")
    first = id_from(await h.admin('broadcast audience:emea-gold topic:security title:"One" Body.'))
    second = id_from(await h.admin('broadcast audience:emea-gold topic:pricing title:"Two" Body.'))

    refused = await h.admin("audience delete emea-gold")
    assert refused.is_error
    assert f"used by 2 open drafts (#{first} “One”, #{second} “Two”)" in refused.text
    await h.admin(f"cancel {first}")
    await h.admin(f"send {second}")

    deleted = await h.admin("audience delete emea-gold")
    assert not deleted.is_error, deleted.text
    assert await rows(h, SavedAudienceRow) == []


async def test_the_usage_hints_work_when_copied(harness: Harness) -> None:
    """The save reply and the empty list name the `broadcast` that uses the audience: with `topic:` when
    the audience names no topics (a broadcast without it is refused), without when it does."""
    h = harness
    await _partners(h)

    empty = await h.admin("audience list")
    assert "`broadcast audience:emea-gold topic:<slug> …`" in empty.text

    without_topics = await h.admin("audience save emea-gold tier:gold region:emea")
    assert "Use it with `broadcast audience:emea-gold topic:<slug> …`." in without_topics.text
    copied = "broadcast audience:emea-gold topic:<slug> …".replace("<slug>", "security")
    preview = await h.admin(copied.replace("…", 'title:"Hello" Hi.'))
    assert not preview.is_error, preview.text
    assert "Preview of announcement" in preview.text

    with_topics = await h.admin("audience save golds tier:gold topic:security")
    assert "Use it with `broadcast audience:golds …`." in with_topics.text
    preview = await h.admin('broadcast audience:golds title:"Hello" Hi.')
    assert not preview.is_error, preview.text
