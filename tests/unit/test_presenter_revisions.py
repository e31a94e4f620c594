"""bot/presenter/revisions.py: `edit` and `recall` as typed results, in the words the revision
service wrote before it returned results (issue 12)."""

from __future__ import annotations

from datetime import UTC, datetime

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
from bot.domain.announcements import Reach
from bot.presenter import present, preview_reply
from bot.results import Edited, EditUnchanged, HowToEdit, Previewed, Recalled, Refused, Rescheduled, Revised


def _announcement(status: AnnouncementStatus = AnnouncementStatus.SCHEDULED) -> Announcement:
    return Announcement(
        id=7,
        title="Later",
        body="Not yet.",
        topics=("pricing",),
        audience=Audience(),
        priority=Priority.NORMAL,
        status=status,
        author=UserRef(Platform.LOCAL, "local", "alice", "Alice"),
        origin=ChannelRef(Platform.LOCAL, "local", "admin"),
        created_at=datetime(2026, 11, 24, 10, tzinfo=UTC),
    )


def test_an_edit_says_how_many_delivered_copies_are_updated_or_that_none_went_out() -> None:
    queued = present(Edited(7, 3))
    assert queued.text == m.EDITED_QUEUED.format(id=7, copies="3 copies")
    assert not queued.ephemeral and not queued.is_error
    assert present(Edited(7, 1)).text == m.EDITED_QUEUED.format(id=7, copies="1 copy")
    assert present(Edited(7)).text == m.EDITED_UNSENT.format(id=7)


def test_an_edit_that_changes_nothing_says_so_to_the_caller_only() -> None:
    same = present(EditUnchanged(7))
    assert same.text == m.EDIT_SAME.format(id=7)
    assert same.ephemeral and not same.is_error


def test_a_new_time_and_text_show_the_time_first_then_the_edit() -> None:
    moved = Rescheduled(_announcement(), "on 1 Dec", notes=("DST.",))
    both = present(Revised(moved, Edited(7, 2)))
    assert both.text == "\n".join(
        [
            m.RESCHEDULED.format(id=7, title="Later", when="on 1 Dec"),
            "DST.",
            m.EDITED_QUEUED.format(id=7, copies="2 copies"),
        ]
    )
    assert not both.ephemeral


def test_a_drafts_new_time_and_text_keep_the_previews_buttons() -> None:
    draft = _announcement(AnnouncementStatus.DRAFT)
    previewed = Previewed(draft, Reach(2, 1, {"local": 2}, {}, {}))
    both = present(Revised(Rescheduled(draft, "on 1 Dec", was_draft=True), previewed))
    alone = preview_reply(previewed)
    assert both.rows == alone.rows and both.draft == alone.draft
    assert both.text.endswith("\n" + alone.text)
    assert both.text.startswith(m.RESCHEDULED_DRAFT.format(id=7, title="Later", when="on 1 Dec"))


def test_a_text_edit_refused_after_the_new_time_is_an_error() -> None:
    refused = Refused(RefusalCode.NOT_EDITABLE, announcement_id=7, status="sent")
    both = present(Revised(Rescheduled(_announcement(), "on 1 Dec"), refused))
    assert both.is_error and both.refusal == Refusal(RefusalCode.NOT_EDITABLE)
    assert both.text.endswith("\n" + m.NOT_EDITABLE["sent"].format(id=7))


def test_a_recall_counts_the_copies_deleted_and_cancelled() -> None:
    recalled = present(Recalled(7, "Later", deleting=1, cancelled=4))
    assert recalled.text == m.RECALLED.format(id=7, title="Later", deleting="1 copy", cancelled="4 copies")
    assert not recalled.ephemeral


def test_a_recall_counts_nothing_it_did_not_do() -> None:
    # No "0 copies already delivered will be deleted": a clause that counts nothing is left out.
    queued_only = present(Recalled(7, "Later", deleting=0, cancelled=1)).text
    assert queued_only == "↩️ Announcement #7 “Later” recalled: 1 copy not sent yet will never go out."
    delivered_only = present(Recalled(7, "Later", deleting=3, cancelled=0)).text
    assert delivered_only == "↩️ Announcement #7 “Later” recalled: 3 copies already delivered will be deleted."
    neither = present(Recalled(7, "Later", deleting=0, cancelled=0)).text
    assert "0 " not in neither and neither.startswith("↩️ Announcement #7 “Later” recalled.")


def test_recall_and_edit_refusals_are_worded_by_status() -> None:
    draft = present(Refused(RefusalCode.NOT_RECALLABLE, announcement_id=7, status="draft"))
    assert draft.text == m.NOT_RECALLABLE_DRAFT.format(id=7)
    assert draft.is_error and draft.refusal == Refusal(RefusalCode.NOT_RECALLABLE)
    busy = present(Refused(RefusalCode.NOT_RECALLABLE, announcement_id=7, status="sending"))
    assert busy.text == m.NOT_RECALLABLE["sending"].format(id=7)
    edit = present(Refused(RefusalCode.NOT_EDITABLE, announcement_id=7, status="scheduled"))
    assert edit.text == m.NOT_EDITABLE["scheduled"].format(id=7)


def test_how_to_edit_shows_the_command_and_the_current_text() -> None:
    how = present(HowToEdit(_announcement()))
    assert how.text == m.EDIT_HOW.format(id=7, title="Later", body="Not yet.")
