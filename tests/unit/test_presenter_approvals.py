"""The approval history `stats <id>` shows, and the refusals' words."""

from __future__ import annotations

from datetime import UTC, datetime

from bot import messages as m
from bot.domain import Approval, ApprovalKind, ApprovalState, Platform, UserRef
from bot.formats import moment
from bot.presenter.approvals import approval_reply, history_lines
from bot.results import ApprovalRefusal, ApprovalRefused

ALICE = UserRef(Platform.SLACK, "T1", "U1", "alice")
BOB = UserRef(Platform.DISCORD, "", "42", "bob")
AT = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
ASKED = moment(AT)  # as the admin reads it (English by default)


def _approval(revision: int, state: ApprovalState, **kw: object) -> Approval:
    return Approval(1, 7, revision, ApprovalKind.SEND, state, ALICE, AT, **kw)  # type: ignore[arg-type]


def test_history_lines_mark_a_request_the_text_moved_past() -> None:
    history = [
        _approval(0, ApprovalState.CHANGES_REQUESTED, decided_by=BOB, comment="Say which regions."),
        _approval(1, ApprovalState.PENDING),
        _approval(2, ApprovalState.APPROVED, decided_by=BOB),
    ]
    lines = history_lines(history, revision=2)
    assert lines == [
        m.APPROVAL_HISTORY,
        f"• {ASKED}: alice asked to send it — bob requested changes: “Say which regions.”",
        f"• {ASKED}: alice asked to send it — left behind by an edit or a newer request",
        f"• {ASKED}: alice asked to send it — approved by bob",
    ]
    assert history_lines([], revision=0) == []


def test_refusals_are_errors_in_words() -> None:
    own = approval_reply(ApprovalRefused(ApprovalRefusal.OWN, 7, approving=False))
    assert own.is_error and own.text == m.OWN_REJECTION.format(id=7)
    taken = approval_reply(ApprovalRefused(ApprovalRefusal.TAKEN, 7))
    assert taken.is_error and taken.text == m.APPROVAL_TAKEN.format(id=7)
