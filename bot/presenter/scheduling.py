"""`reschedule` and `drafts`: a new time, the open drafts with their Cancel buttons."""

from __future__ import annotations

from datetime import UTC, datetime

from bot import messages as m
from bot.domain.conversation import Button, ButtonStyle, Reply, Row
from bot.presenter.broadcast import CANCEL_ACTION
from bot.results import DraftsListed, OpenDraft, Rescheduled


def rescheduled_reply(moved: Rescheduled) -> Reply:
    """The new time, then its notes; a draft is reminded that `send <id>` schedules it."""
    a = moved.announcement
    if moved.was_draft:
        lines = [m.RESCHEDULED_DRAFT.format(id=a.id, title=a.title, when=moved.when), *moved.notes]
        lines.append(m.SCHEDULE_HINT.format(id=a.id))
    else:
        lines = [m.RESCHEDULED.format(id=a.id, title=a.title, when=moved.when), *moved.notes]
    return Reply(text="\n".join(lines), ephemeral=False)


def drafts_reply(listed: DraftsListed) -> Reply:
    """`drafts`: id, title, author, created, topics (and time, when it has one), with Cancel."""
    if not listed.drafts:
        return Reply(text=m.NO_DRAFTS)
    rows = tuple(
        Row(
            _draft_line(d), Button(m.CANCEL_BUTTON, CANCEL_ACTION, str(d.announcement.id), ButtonStyle.DANGER)
        )
        for d in listed.drafts
    )
    # Posted in the admin channel like a preview, so its buttons work on every platform.
    return Reply(text=m.DRAFTS_HEADER(len(listed.drafts)), rows=rows, ephemeral=False)


def utc(instant: datetime) -> str:
    """A moment in UTC, in words."""
    return m.TIME_UTC.format(time=instant.astimezone(UTC))


def span(first: datetime, last: datetime) -> str:
    """ "at X" for one moment, "the first at X, the last at Y" for a range."""
    if first == last:
        return m.WAIT_ONE_TIME.format(first=utc(first))
    return m.WAIT_RANGE.format(first=utc(first), last=utc(last))


def _draft_line(draft: OpenDraft) -> str:
    a = draft.announcement
    author = a.author.display_name or a.author.user
    return m.DRAFT_LINE.format(
        id=a.id,
        title=a.title,
        author=author,
        created=utc(a.created_at),
        topics=", ".join(a.topics),
        when=m.DRAFT_WHEN.format(when=draft.when) if draft.when else "",
    )
