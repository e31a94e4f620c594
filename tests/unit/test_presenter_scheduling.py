"""bot/presenter/scheduling.py: `reschedule` and `drafts` as typed results, in the words the
rescheduling service wrote before it returned results (issue 12)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import messages as m
from bot.domain import (
    Announcement,
    AnnouncementStatus,
    Audience,
    ChannelRef,
    Platform,
    Priority,
    Refusal,
    RefusalCode,
    UserRef,
)
from bot.presenter import CANCEL_ACTION, present
from bot.presenter.scheduling import utc
from bot.results import DraftsListed, OpenDraft, Refused, Rescheduled


def _announcement(id: int = 7, title: str = "Later", display_name: str = "Alice") -> Announcement:
    return Announcement(
        id=id,
        title=title,
        body="Not yet.",
        topics=("pricing", "security"),
        audience=Audience(),
        priority=Priority.NORMAL,
        status=AnnouncementStatus.SCHEDULED,
        author=UserRef(Platform.LOCAL, "local", "alice", display_name),
        origin=ChannelRef(Platform.LOCAL, "local", "admin"),
        created_at=datetime(2026, 11, 24, 10, tzinfo=UTC),
    )


def test_a_rescheduled_announcement_says_its_new_time_then_its_notes() -> None:
    moved = present(Rescheduled(_announcement(), "on 1 Dec", notes=("2 wait for quiet hours.",)))
    assert (
        moved.text == m.RESCHEDULED.format(id=7, title="Later", when="on 1 Dec") + "\n2 wait for quiet hours."
    )
    assert not moved.ephemeral and not moved.is_error
    draft = present(Rescheduled(_announcement(), "on 1 Dec", was_draft=True, notes=("DST.",)))
    assert draft.text == "\n".join(
        [
            m.RESCHEDULED_DRAFT.format(id=7, title="Later", when="on 1 Dec"),
            "DST.",
            m.SCHEDULE_HINT.format(id=7),
        ]
    )


def test_open_drafts_are_rows_with_a_cancel_button() -> None:
    listed = present(
        DraftsListed((OpenDraft(_announcement(1, "First")), OpenDraft(_announcement(2), "on 1 Dec")))
    )
    assert listed.text == m.DRAFTS_HEADER(2) and not listed.ephemeral
    assert [row.text for row in listed.rows] == [
        f"#1 First — by Alice, {utc(datetime(2026, 11, 24, 10, tzinfo=UTC))} · pricing, security",
        "#2 Later — by Alice, 2026-11-24 10:00 UTC · pricing, security · for on 1 Dec",
    ]
    buttons = [row.button for row in listed.rows]
    assert [(b.action, b.value) for b in buttons if b] == [(CANCEL_ACTION, "1"), (CANCEL_ACTION, "2")]
    assert (
        present(DraftsListed((OpenDraft(_announcement(display_name="")),)))
        .rows[0]
        .text.startswith("#7 Later — by alice,")
    )
    assert present(DraftsListed(())).text == m.NO_DRAFTS


@pytest.mark.parametrize(
    ("refused", "text"),
    [
        (Refused(RefusalCode.RESCHEDULE_TOO_LATE, announcement_id=3), m.RESCHEDULE_TOO_LATE.format(id=3)),
        (
            Refused(RefusalCode.NOT_RESCHEDULABLE, announcement_id=3, status="recalled"),
            m.RESCHEDULE_GONE["recalled"].format(id=3),
        ),
    ],
)
def test_reschedule_refusals_read_as_their_sentence_and_keep_their_code(refused: Refused, text: str) -> None:
    reply = present(refused)
    assert reply.text == text and reply.is_error
    assert reply.refusal == Refusal(RefusalCode(refused.code), "")
