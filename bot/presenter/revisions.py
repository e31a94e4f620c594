"""`edit` and `recall`: what an edit did (a new preview for a draft), a recall's counts."""

from __future__ import annotations

from dataclasses import replace

from bot import messages as m
from bot.domain.conversation import Reply
from bot.presenter.broadcast import preview_reply
from bot.presenter.refusals import refusal_reply
from bot.presenter.scheduling import rescheduled_reply
from bot.results import Edited, EditUnchanged, HowToEdit, Previewed, Recalled, Refused, Revised


def edit_unchanged_reply(same: EditUnchanged) -> Reply:
    return Reply(text=m.EDIT_SAME.format(id=same.announcement_id))


def edited_reply(edited: Edited) -> Reply:
    """Copies already delivered are updated in place; none: it goes out with the new text."""
    if edited.copies:
        text = m.EDITED_QUEUED.format(id=edited.announcement_id, copies=m.COPIES(edited.copies))
    else:
        text = m.EDITED_UNSENT.format(id=edited.announcement_id)
    return Reply(text=text, ephemeral=False)


def revised_reply(revised: Revised) -> Reply:
    """The new time's lines, then the text edit's reply (a draft's preview keeps its buttons)."""
    moved = rescheduled_reply(revised.moved)
    edited = _edit_part(revised.edited)
    return replace(edited, text=f"{moved.text}\n{edited.text}", ephemeral=False)


def recalled_reply(recalled: Recalled) -> Reply:
    template = {
        (True, True): m.RECALLED,
        (True, False): m.RECALLED_DELIVERED,
        (False, True): m.RECALLED_UNSENT,
        (False, False): m.RECALLED_NOTHING,
    }[(recalled.deleting > 0, recalled.cancelled > 0)]
    text = template.format(
        id=recalled.announcement_id,
        title=recalled.title,
        deleting=m.COPIES(recalled.deleting),
        cancelled=m.COPIES(recalled.cancelled),
    )
    return Reply(text=text, ephemeral=False)


def how_to_edit_reply(how: HowToEdit) -> Reply:
    a = how.announcement
    return Reply(text=m.EDIT_HOW.format(id=a.id, title=a.title, body=a.body))


def _edit_part(edited: Edited | EditUnchanged | Previewed | Refused) -> Reply:
    match edited:
        case Edited():
            return edited_reply(edited)
        case EditUnchanged():
            return edit_unchanged_reply(edited)
        case Previewed():
            return preview_reply(edited)
        case Refused():
            return refusal_reply(edited)
