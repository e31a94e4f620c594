"""Approval before send in words: the request reviewers see (with Approve / Request changes), the
decisions, the refusals, and the history `stats <id>` shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot import messages as m
from bot.domain.approvals import Approval, ApprovalKind, ApprovalState
from bot.domain.conversation import Button, ButtonStyle, Refusal, RefusalCode, Reply
from bot.domain.refs import UserRef
from bot.formats import moment
from bot.presenter import present
from bot.presenter.broadcast import preview_reply
from bot.presenter.refusals import error, refusal_reply
from bot.results import (
    ApprovalRefusal,
    ApprovalRefused,
    ApprovalRequested,
    ApprovalResult,
    Approved,
    ChangesRequested,
    EditApprovalRequested,
    Refused,
    TopicApprovalSet,
)

# The buttons under a request (adapters route on these). Request changes asks for a comment: a
# modal on Slack and Discord; elsewhere the core answers how to type `reject <id> <comment>`.
APPROVE_ACTION = "announcement_approve"
REJECT_ACTION = "announcement_reject"
PENDING = Refusal(RefusalCode.APPROVAL_PENDING)

_REFUSALS = {
    ApprovalRefusal.NOTHING_PENDING: m.NOTHING_TO_APPROVE,
    ApprovalRefusal.STALE: m.APPROVAL_STALE,
    ApprovalRefusal.TAKEN: m.APPROVAL_TAKEN,
    ApprovalRefusal.EDIT_AND_TIME: m.APPROVAL_EDIT_AND_TIME,
}


def approval_reply(result: ApprovalResult) -> Reply:
    match result:
        case ApprovalRequested():
            return _requested(result)
        case EditApprovalRequested():
            a = result.announcement
            title, body = result.approval.title or a.title, result.approval.body or a.body
            who = who_is(result.approval.requested_by)
            text = m.EDIT_APPROVAL_REQUESTED.format(id=a.id, who=who, title=title, body=body)
            return Reply(text=text, ephemeral=False, buttons=decision_buttons(a.id), refusal=PENDING)
        case Approved():
            return _approved(result)
        case ChangesRequested():
            return _changes_requested(result)
        case ApprovalRefused():
            if result.reason is ApprovalRefusal.OWN:
                own = m.OWN_APPROVAL if result.approving else m.OWN_REJECTION
                return error(own.format(id=result.announcement_id))
            return error(_REFUSALS[result.reason].format(id=result.announcement_id))
        case TopicApprovalSet():
            return _topic_set(result)
        case Refused():
            return refusal_reply(result)


def decision_buttons(announcement_id: int) -> tuple[Button, ...]:
    value = str(announcement_id)
    return (
        Button(m.APPROVE_BUTTON, APPROVE_ACTION, value, ButtonStyle.PRIMARY),
        Button(m.REQUEST_CHANGES_BUTTON, REJECT_ACTION, value),
    )


def who_is(user: UserRef | None) -> str:
    if user is None:
        return ""
    return user.display_name or user.user


def _requested(result: ApprovalRequested) -> Reply:
    """The draft's preview (what partners will get, whom it reaches) under the request's heading, with
    Approve and Request changes instead of Send."""
    a = result.preview.announcement
    topics = result.need.topics
    if topics:
        why = m.APPROVAL_WHY_TOPICS(len(topics), topics=", ".join(f"`{t}`" for t in topics))
    else:
        why = m.APPROVAL_WHY_SETTING
    who = who_is(result.approval.requested_by)
    heading = m.APPROVAL_REQUESTED.format(id=a.id, title=a.title, who=who, why=why)
    preview = preview_reply(result.preview)
    return replace(
        preview,
        text=f"{heading}\n\n{preview.text}",
        buttons=decision_buttons(a.id),
        ephemeral=False,
        is_error=False,
        refusal=PENDING,
        draft=None,
    )


def _approved(result: Approved) -> Reply:
    approval = result.approval
    who = who_is(approval.decided_by)
    if approval.kind is ApprovalKind.EDIT:
        line = m.EDIT_APPROVED.format(who=who, id=approval.announcement_id)
    else:
        line = m.APPROVED.format(who=who, id=approval.announcement_id, title=result.title)
    outcome = present(result.outcome)
    return replace(outcome, text=f"{line}\n{outcome.text}", ephemeral=False)


def _changes_requested(result: ChangesRequested) -> Reply:
    approval = result.approval
    fields = {
        "who": who_is(approval.decided_by),
        "id": approval.announcement_id,
        "comment": approval.comment,
        "author": who_is(result.author),
    }
    if approval.kind is ApprovalKind.EDIT:
        return Reply(text=m.EDIT_CHANGES_REQUESTED.format(**fields), ephemeral=False)
    return Reply(text=m.CHANGES_REQUESTED.format(title=result.title, **fields), ephemeral=False)


def _topic_set(result: TopicApprovalSet) -> Reply:
    if result.required:
        text = m.TOPIC_APPROVAL_ON if result.changed else m.TOPIC_APPROVAL_ALREADY_ON
    else:
        text = m.TOPIC_APPROVAL_OFF if result.changed else m.TOPIC_APPROVAL_ALREADY_OFF
    return Reply(text=text.format(slug=result.slug), ephemeral=not result.changed)


def history_lines(history: Sequence[Approval], revision: int) -> list[str]:
    """`stats <id>`: a heading, then one bullet per request (`history_entries`)."""
    entries = history_entries(history, revision)
    return [m.APPROVAL_HISTORY, *(f"• {entry}" for entry in entries)] if entries else []


def history_entries(history: Sequence[Approval], revision: int) -> list[str]:
    """One sentence per request, oldest first; a pending one the text has moved past (`revision`
    is the announcement's current one) is shown as left behind. The dashboard lists them too."""
    entries = []
    for approval in history:
        state = approval.state
        if state is ApprovalState.PENDING and approval.revision != revision:
            state = ApprovalState.VOID
        entries.append(
            m.APPROVAL_LINES[state.value].format(
                when=moment(approval.requested_at),
                who=who_is(approval.requested_by),
                what=m.APPROVAL_WHAT[approval.kind.value],
                decider=who_is(approval.decided_by),
                comment=approval.comment,
            )
        )
    return entries
