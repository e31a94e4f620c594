"""Typed results on the core's replies: a preview's `draft` and a refusal's code and field, so that
adapters and the CLI never read the words (issue 12). The words themselves are unchanged.

The clock starts on Tuesday 2026-11-24 09:00 UTC.
"""

from __future__ import annotations

from bot import messages as m
from bot.commands import Broadcast
from bot.domain import Audience, Platform, Refusal, RefusalCode
from tests.harness import ADMIN, ADMIN_CHANNEL, Harness
from tests.integration.support import setup_topics


async def _acme(h: Harness) -> None:
    await setup_topics(h, "pricing", "security")
    await h.join("acme", "Acme", tier="gold")
    assert not (await h.subscribe("acme", "pricing")).is_error


async def test_preview_carries_its_draft_and_a_summary_without_the_announcement(harness: Harness) -> None:
    h = harness
    await _acme(h)
    # A body that holds the preview's own rule: the summary still leaves the whole announcement out.
    body = "Prices change.\n———\nSee the list."
    reply = await h.admin(f'broadcast topic:pricing tier:gold urgent ack title:"New prices" {body}')
    assert not reply.is_error and reply.refusal is None, reply.text
    draft = reply.draft
    assert draft is not None
    assert (draft.announcement_id, draft.title, draft.body) == (1, "New prices", body)
    assert draft.topics == ("pricing",) and draft.audience == Audience(tiers=frozenset({"gold"}))
    assert draft.urgent and draft.ack_required
    assert (draft.reach.channels, draft.reach.partners) == (1, 1)
    heading = m.PREVIEW_HEADING.format(id=1)
    details = m.PREVIEW_DETAILS.format(topics="pricing", audience=draft.audience.describe())
    assert draft.summary.startswith(f"{heading}\n{details}\n{m.ACK_PREVIEW.format(hours='4 h')}")
    assert body not in draft.summary and "New prices" not in draft.summary
    # The text is the summary with the announcement between the heading and the details.
    announcement = f"———\n{m.URGENT_MARK}**New prices**\n{body}\n———"
    assert reply.text == draft.summary.replace(heading + "\n", f"{heading}\n{announcement}\n", 1)


async def test_scheduled_preview_summary_keeps_its_timing_lines(harness: Harness) -> None:
    h = harness
    await _acme(h)
    reply = await h.admin('broadcast topic:pricing at:"2026-12-01 09:00" title:"Later" Not yet.')
    assert reply.draft is not None and not reply.is_error, reply.text
    assert reply.text.endswith(m.SCHEDULE_HINT.format(id=1))
    assert reply.draft.summary.endswith(m.SCHEDULE_HINT.format(id=1))


async def test_preview_reaching_nobody_is_a_refusal_about_a_draft(harness: Harness) -> None:
    h = harness
    await _acme(h)
    reply = await h.admin('broadcast topic:security title:"Patch" Now.')
    assert reply.is_error and not reply.buttons
    assert reply.refusal == Refusal(RefusalCode.EMPTY_AUDIENCE)
    assert reply.draft is not None and reply.draft.announcement_id == 1 and reply.draft.reach.channels == 0
    assert m.EMPTY_AUDIENCE.format(id=1, audience=Audience().describe()) in reply.draft.summary


async def test_send_reaching_nobody_any_more_is_refused_with_its_code(harness: Harness) -> None:
    h = harness
    await _acme(h)
    assert (await h.admin('broadcast topic:pricing title:"Prices" Soon.')).draft is not None
    assert not (await h.partner("acme", "unsubscribe pricing")).is_error
    sent = await h.admin("send 1")
    assert sent.is_error and sent.refusal == Refusal(RefusalCode.EMPTY_AUDIENCE) and sent.draft is None


async def test_refused_broadcasts_name_the_code_and_the_field(harness: Harness) -> None:
    h = harness
    await _acme(h)
    assert not (await h.admin("topic archive security")).is_error
    cases = {
        'broadcast topic:pricing tier:platnum title:"T" B.': Refusal(RefusalCode.UNKNOWN_VALUE, "tier"),
        'broadcast topic:pricng title:"T" B.': Refusal(RefusalCode.UNKNOWN_TOPIC, "topics"),
        'broadcast topic:security title:"T" B.': Refusal(RefusalCode.TOPIC_ARCHIVED, "topics"),
        'broadcast topic:pricing at:"2026-11-01 09:00" title:"T" B.': Refusal(RefusalCode.AT_PAST, "at"),
        'broadcast topic:pricing at:"2028-01-01 09:00" title:"T" B.': Refusal(RefusalCode.AT_TOO_FAR, "at"),
    }
    for text, refusal in cases.items():
        reply = await h.admin(text)
        assert reply.is_error and reply.draft is None, text
        assert reply.refusal == refusal, (text, reply.text)
    # Structured input (a modal, Discord options) meets the same checks with the same codes.
    inv = h.local.invocation(ADMIN, ADMIN_CHANNEL)
    command = Broadcast(topics=("pricing",), audience=Audience(), title="T", body="B", ack_required=True)
    refused = await h.app.bot.run_admin(inv, command)
    assert refused.text == m.ACK_NEEDS_URGENT
    assert refused.refusal == Refusal(RefusalCode.ACK_NEEDS_URGENT, "urgent")


async def test_a_refused_new_time_points_at_the_at_field(harness: Harness) -> None:
    h = harness
    await _acme(h)
    assert (await h.admin('broadcast topic:pricing at:"2026-12-01 09:00" title:"Later" Not yet.')).draft
    moved = await h.admin('reschedule 1 at:"2026-11-20 09:00"')
    assert moved.is_error and moved.refusal == Refusal(RefusalCode.AT_PAST, "at"), moved.text
    assert m.AT_FORMS_LIST in moved.text  # the words still name the accepted forms


async def test_acknowledging_what_is_no_announcement_is_refused_with_its_code(harness: Harness) -> None:
    h = harness
    await _acme(h)
    reply = await h.app.bot.acknowledge(
        h.local.invocation("pat", "acme"), platform=Platform.LOCAL, channel="acme", message="404"
    )
    assert reply.text == m.ACK_NOT_AN_ANNOUNCEMENT
    assert reply.refusal == Refusal(RefusalCode.NOT_AN_ANNOUNCEMENT)


async def test_an_invite_hands_out_its_join_code(harness: Harness) -> None:
    h = harness
    created = await h.admin('invite "Nimbus Cloud" tier:gold')
    assert not created.is_error and created.join_code is not None, created.text
    assert f"`{created.join_code}`" in created.text
    assert not (await h.partner("nimbus", f"join {created.join_code}")).is_error
    again = await h.admin('invite "Nimbus Cloud" tier:gold')  # an existing partner: a new code, same words
    assert again.join_code is not None and again.join_code != created.join_code
    assert f"`{again.join_code}`" in again.text
