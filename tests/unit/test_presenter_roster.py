"""bot/presenter/roster.py: `invite` as a typed result, in the words the roster service wrote before
it returned results (issue 12); the join code travels typed in `Reply.join_code`."""

from __future__ import annotations

from datetime import date

import pytest

from bot import messages as m
from bot.domain import Partner, Refusal, RefusalCode
from bot.formats import day
from bot.presenter import present
from bot.presenter.roster import profile_text
from bot.results import Invited, Refused

UNTIL, REMOVED = day(date(2026, 12, 8)), day(date(2026, 11, 1))  # as the admin reads them
ACME = Partner(1, "Acme", "gold", "reseller", "", "en", "UTC")
CODE, EXPIRES = "PB-ABCD-EFGH", date(2026, 12, 8)


def test_a_new_partners_join_code() -> None:
    reply = present(Invited(ACME, CODE, EXPIRES))
    assert reply.text == m.INVITE_CREATED.format(name="Acme", tier="gold", code=CODE, expires=UNTIL)
    assert reply.join_code == CODE and not reply.is_error


def test_a_code_for_an_existing_partner_or_a_restored_one_names_its_profile() -> None:
    profile = profile_text(ACME)
    assert profile == m.PROFILE.format(tier="gold", type="reseller", region=m.NONE_VALUE, language="en")
    existing = present(Invited(ACME, CODE, EXPIRES, existed=True))
    assert existing.text == m.INVITE_EXISTS_CODE.format(
        name="Acme", profile=profile, code=CODE, expires=UNTIL
    )
    restored = present(Invited(ACME, CODE, EXPIRES, existed=True, removed_on=date(2026, 11, 1)))
    assert restored.text == m.INVITE_RESTORED.format(
        name="Acme",
        removed=REMOVED,
        profile=profile,
        code=CODE,
        expires=UNTIL,
    )
    assert existing.join_code == restored.join_code == CODE


@pytest.mark.parametrize(
    ("refused", "text"),
    [
        (Refused(RefusalCode.MISSING, "tier"), m.TIER_MISSING),
        (Refused(RefusalCode.PARTNER_EXISTS, value="Acme", message="Acme exists."), "Acme exists."),
    ],
)
def test_invite_refusals_keep_their_code(refused: Refused, text: str) -> None:
    reply = present(refused)
    assert reply.text == text and reply.is_error and reply.join_code is None
    assert reply.refusal == Refusal(RefusalCode(refused.code), refused.field)
