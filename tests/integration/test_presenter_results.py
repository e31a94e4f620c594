"""The broadcast path as typed results (issue 12): `draft` and `send_draft` return what happened —
a preview's announcement and reach, a sent summary, a refusal's code, field and values — and
bot/presenter.py alone turns them into the replies every adapter shows (`broadcast`, `send`).

Runs on SQLite and PostgreSQL (the `harness` fixture). The clock starts on Tuesday 2026-11-24 09:00 UTC.
"""

from __future__ import annotations

from bot import messages as m
from bot.commands import Broadcast, Send
from bot.domain import Audience, RefusalCode
from bot.presenter import present
from bot.results import Previewed, Refused, SentSummary
from tests.harness import ADMIN, ADMIN_CHANNEL, Harness
from tests.integration.support import setup_topics


async def _acme(h: Harness) -> None:
    await setup_topics(h, "pricing", "security")
    await h.join("acme", "Acme", tier="gold")
    assert not (await h.subscribe("acme", "pricing")).is_error


def _broadcast(*topics: str, **changes: object) -> Broadcast:
    fields: dict[str, object] = {
        "topics": topics,
        "audience": Audience(),
        "title": "New prices",
        "body": "Out.",
    }
    fields.update(changes)
    return Broadcast(**fields)  # type: ignore[arg-type]


async def test_a_draft_is_a_typed_preview_and_the_reply_is_its_presentation(harness: Harness) -> None:
    h = harness
    await _acme(h)
    inv = h.local.invocation(ADMIN, ADMIN_CHANNEL)
    result = await h.app.bot.admin.draft(inv, _broadcast("pricing"))
    assert isinstance(result, Previewed)
    assert (result.announcement.id, result.announcement.title, result.reach.channels) == (1, "New prices", 1)
    reply = present(result)
    assert reply.draft is not None and reply.draft.announcement_id == 1 and not reply.is_error
    assert reply.text.startswith(m.PREVIEW_HEADING.format(id=1))
    # The chat command goes through the same presenter: same words, next draft.
    typed = await h.admin('broadcast topic:pricing title:"New prices" Out.')
    assert typed.text == reply.text.replace("#1", "#2")


async def test_refused_drafts_carry_the_code_the_field_and_the_values_of_their_sentence(
    harness: Harness,
) -> None:
    h = harness
    await _acme(h)
    inv = h.local.invocation(ADMIN, ADMIN_CHANNEL)
    typo = await h.app.bot.admin.draft(inv, _broadcast("pricng"))
    assert typo == Refused(RefusalCode.UNKNOWN_TOPIC, "topics", value="pricng", suggestion="pricing")
    assert present(typo).text == m.UNKNOWN_TOPIC.format(
        slug="pricng", did_you_mean=m.DID_YOU_MEAN.format(suggestion="pricing")
    )
    ack = await h.app.bot.admin.draft(inv, _broadcast("pricing", ack_required=True))
    assert ack == Refused(RefusalCode.ACK_NEEDS_URGENT, "urgent")
    assert present(ack).text == m.ACK_NEEDS_URGENT and present(ack).is_error


async def test_send_returns_a_summary_or_a_refusal_with_the_status(harness: Harness) -> None:
    h = harness
    await _acme(h)
    inv = h.local.invocation(ADMIN, ADMIN_CHANNEL)
    assert isinstance(await h.app.bot.admin.draft(inv, _broadcast("pricing")), Previewed)
    sent = await h.app.bot.admin.send_draft(Send(1))
    assert isinstance(sent, SentSummary)
    assert (sent.announcement.id, sent.channels, sent.when) == (1, 1, None)
    assert present(sent).text.startswith(m.SENDING.format(id=1, title="New prices", channels=m.CHANNELS(1)))
    again = await h.app.bot.admin.send_draft(Send(1))
    assert again == Refused(RefusalCode.NOT_A_DRAFT, announcement_id=1, status="sending")
    assert (await h.admin("send 1")).text == m.NOT_A_DRAFT["sending"].format(id=1)
    missing = await h.app.bot.admin.send_draft(Send(99))
    assert present(missing).text == m.NO_SUCH_ANNOUNCEMENT.format(id=99)
