"""Grammar errors reach adapters with a refusal code and the field they are about, so a form can
place them without matching words (issue 12); the words are the grammar's, unchanged.

The clock starts on Tuesday 2026-11-24 09:00 UTC.
"""

from __future__ import annotations

from bot import messages as m
from bot.domain import Refusal, RefusalCode
from tests.harness import Harness
from tests.integration.support import setup_topics


async def test_admin_grammar_errors_carry_their_field(harness: Harness) -> None:
    h = harness
    await setup_topics(h, "security")
    empty = await h.admin('broadcast topic:security title:"Patch"')
    assert empty.is_error and empty.text == m.BODY_EMPTY
    assert empty.refusal == Refusal(RefusalCode.MISSING, "body")
    unread = await h.admin('broadcast topic:security at:"whenever" title:"Patch" Now.')
    assert unread.is_error and unread.refusal == Refusal(RefusalCode.AT_INVALID, "at")
    ack = await h.admin('broadcast topic:security ack title:"Patch" Now.')
    assert ack.text == m.ACK_NEEDS_URGENT and ack.refusal == Refusal(RefusalCode.ACK_NEEDS_URGENT, "urgent")
    assert await h.app.stores.announcements.recent() == []


async def test_other_grammar_errors_are_syntax_and_admin_refusals_come_first(harness: Harness) -> None:
    h = harness
    unknown = await h.partner("acme", "subscrbe security")
    assert unknown.is_error and unknown.refusal == Refusal(RefusalCode.SYNTAX)
    # Outside the admin channel the admin refusal wins over the grammar's (and has no code).
    outside = await h.admin('broadcast topic:security title:"Patch"', channel="lounge")
    assert outside.text == m.ADMIN_ONLY_IN_ADMIN_CHANNEL and outside.refusal is None
