"""The broadcast path's replies: a draft's preview, a sent summary."""

from __future__ import annotations

from collections.abc import Mapping

from bot import messages as m
from bot.domain.announcements import Announcement, Priority
from bot.domain.conversation import Button, ButtonStyle, DraftPreview, Refusal, RefusalCode, Reply
from bot.presenter.audiences import reference_words
from bot.presenter.files import file_lines, problem_lines
from bot.results import Previewed, SentSummary

# The actions of the buttons under a preview and under a sent summary (adapters route on these).
SEND_ACTION = "announcement_send"
CANCEL_ACTION = "announcement_cancel"
EDIT_ACTION = "announcement_edit"
RECALL_ACTION = "announcement_recall"
TEST_ACTION = "announcement_test"  # "Send test": a test copy (`test <id>`), the preview stays as it is


def preview_reply(previewed: Previewed) -> Reply:
    """The admin's preview: the announcement as partners will see it, its reach, Send, Edit and
    Cancel, then the notes (when it goes out); with no reach, the warning instead of the reach and
    notes, and no buttons. The reply's `draft` carries the same, typed."""
    a, reach = previewed.announcement, previewed.reach
    urgent = a.priority is Priority.URGENT
    fields = {"id": a.id, "topics": ", ".join(a.topics), "audience": audience_words(a)}
    text = m.PREVIEW.format(urgent=m.URGENT_MARK if urgent else "", title=a.title, body=a.body, **fields)
    tail = _cta_lines(a)
    if a.ack_required:
        tail += "\n" + m.ACK_PREVIEW.format(hours=f"{previewed.ack_hours:g} h")
    if a.files:
        tail += "\n\n" + "\n".join(file_lines(a.files))
    problems = previewed.file_problems
    if problems:
        tail += "\n\n" + "\n".join([m.FILE_PROBLEMS_HEADING, *problem_lines(problems)])
        tail += "\n" + m.FILES_NOT_SENDABLE.format(id=a.id)
    empty = reach.channels == 0
    if empty:
        tail += "\n\n" + m.EMPTY_AUDIENCE.format(id=a.id, audience=audience_words(a))
    else:
        tail += "\n\n" + m.REACH.format(
            channels=m.CHANNELS(reach.channels),
            partners=m.PARTNERS(reach.partners),
            platforms=_counts(reach.by_platform),
            tiers=_counts(reach.by_tier),
            regions=_counts(reach.by_region),
        )
        tail += "".join("\n" + note for note in previewed.notes)
    summary = m.PREVIEW_HEADING.format(**fields) + "\n" + m.PREVIEW_DETAILS.format(**fields) + tail
    draft = DraftPreview(
        a.id,
        a.title,
        a.body,
        a.topics,
        a.audience,
        urgent,
        a.ack_required,
        reach,
        summary,
        ctas=a.ctas,
        files=a.files,
        file_problems=problems,
    )
    if empty or problems:
        refusal = Refusal(RefusalCode.EMPTY_AUDIENCE if empty else RefusalCode.FILES_REFUSED)
        if problems:  # Cancel only: it cannot be sent as it is
            cancel = (Button(m.CANCEL_BUTTON, CANCEL_ACTION, str(a.id), ButtonStyle.DANGER),)
            return Reply(
                text + tail, ephemeral=False, buttons=cancel, is_error=True, refusal=refusal, draft=draft
            )
        return Reply(text=text + tail, ephemeral=False, is_error=True, refusal=refusal, draft=draft)
    buttons = (
        Button(m.SEND_BUTTON, SEND_ACTION, str(a.id), ButtonStyle.PRIMARY),
        Button(m.EDIT_BUTTON, EDIT_ACTION, str(a.id)),
        Button(m.CANCEL_BUTTON, CANCEL_ACTION, str(a.id), ButtonStyle.DANGER),
        Button(m.TEST_BUTTON, TEST_ACTION, str(a.id)),
    )
    return Reply(text=text + tail, ephemeral=False, buttons=buttons, draft=draft)


def sent_reply(sent: SentSummary) -> Reply:
    """After Send: on its way now, or scheduled for `when`; then Edit and Recall."""
    a, channels = sent.announcement, m.CHANNELS(sent.channels)
    if sent.when is None:
        text = m.SENDING.format(id=a.id, title=a.title, channels=channels)
    else:
        text = m.SCHEDULED_SENDING.format(id=a.id, title=a.title, channels=channels, when=sent.when)
    buttons = (
        Button(m.EDIT_BUTTON, EDIT_ACTION, str(a.id)),
        Button(m.RECALL_BUTTON, RECALL_ACTION, str(a.id), ButtonStyle.DANGER),
    )
    return Reply(text="\n".join([text, *sent.notes]), ephemeral=False, buttons=buttons)


def _cta_lines(a: Announcement) -> str:
    """The calls to action, one line each, as the buttons under the announcement will read."""
    if not a.ctas:
        return ""
    lines = [m.CTA_PREVIEW_LINE.format(label=cta.label, url=cta.url) for cta in a.ctas]
    return "\n" + "\n".join([m.CTA_PREVIEW_HEADER, *lines])


def audience_words(announcement: Announcement) -> str:
    if announcement.audience_name is not None:  # `broadcast audience:<name>`
        return reference_words(announcement)
    return announcement.audience.describe()


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(
        f"{key} {value}" for key, value in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )
