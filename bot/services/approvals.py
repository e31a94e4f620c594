"""Approval before send (issue 19): `send` asks another admin first, `approve` / `reject` decide.

What needs approval (`PARTNERBOT_APPROVAL`, README "Approval before send"): with `broadcasts`, every
send of a draft and every text edit of an announcement still waiting for its time; with `all`, also
text edits of announcements partners already have; with `off`, the same as `broadcasts` but only for
announcements about a topic marked `topic require-approval`. Test copies (`test <id>`) never need
one: they are how reviewers read a draft. Urgent announcements need one too unless
`PARTNERBOT_URGENT_NEEDS_APPROVAL=false`; then they go out at once and the bypass is audited.

An approval is for the revision it saw: `edit` bumps the revision, so a request made before an edit
can no longer be approved, and the next `send` asks again. Approving hands the announcement to the
normal send path (AdminService.send_draft: now, or at its time), or applies the edit it asked for.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass

from bot import messages as m
from bot.cadence import NoticeDraft
from bot.commands import Approve, Edit, Reject, Send, TopicApproval
from bot.domain.announcements import Announcement, AnnouncementStatus, Priority
from bot.domain.approvals import Approval, ApprovalKind, ApprovalMode, ApprovalNeed, ApprovalState
from bot.domain.conversation import Invocation, RefusalCode
from bot.ports.announcements import AnnouncementStore
from bot.ports.approvals import ApprovalStore
from bot.ports.audit import AuditStore
from bot.ports.clock import Clock
from bot.ports.outbox import NoticeStore
from bot.ports.scheduling import ScheduleStore
from bot.ports.topics import TopicStore
from bot.results import (
    ApprovalRefusal,
    ApprovalRefused,
    ApprovalRequested,
    Approved,
    ChangesRequested,
    EditApprovalRequested,
    Previewed,
    Refused,
    TopicApprovalSet,
)
from bot.services.admin import AdminService
from bot.services.revisions import RevisionService
from bot.settings import CoreSettings

_OUT = (AnnouncementStatus.SENDING, AnnouncementStatus.SENT)


@dataclass(frozen=True, slots=True)
class ApprovalPorts:
    """The ports ApprovalService uses (bot/core.py wires them)."""

    approvals: ApprovalStore
    announcements: AnnouncementStore
    audit: AuditStore
    notices: NoticeStore
    topics: TopicStore
    schedules: ScheduleStore


class ApprovalService:
    def __init__(
        self,
        ports: ApprovalPorts,
        clock: Clock,
        settings: CoreSettings,
        *,
        admin: AdminService,
        revisions: RevisionService,
        wake_worker: Callable[[], None],
    ) -> None:
        self._stores = ports
        self._clock = clock
        self._settings = settings
        self._admin = admin
        self._revisions = revisions
        self._wake_worker = wake_worker

    async def need(self, announcement: Announcement) -> ApprovalNeed:
        """Whether `announcement` needs approval to go out (or to change), and why."""
        topics = tuple(await self._stores.approvals.approval_topics(announcement.id))
        vendor_wide = self._settings.approval is not ApprovalMode.OFF
        if not (vendor_wide or topics):
            return ApprovalNeed(required=False)
        shown = () if vendor_wide else topics
        if announcement.priority is Priority.URGENT and not self._settings.urgent_needs_approval:
            return ApprovalNeed(required=False, topics=shown, bypassed=True)
        return ApprovalNeed(required=True, topics=shown)

    async def gate_send(self, inv: Invocation, cmd: Send) -> ApprovalRequested | ApprovalNeed | None:
        """`send` on a draft that needs approval and has none for its current text: a request, posted
        for the other admins. Otherwise the send goes the normal way: None, or for an urgent one let
        through by PARTNERBOT_URGENT_NEEDS_APPROVAL=false the need saying so (the bypass audited)."""
        announcement = await self._stores.announcements.get(cmd.announcement_id)
        if announcement is None or announcement.status is not AnnouncementStatus.DRAFT:
            return None  # the send path says why it cannot be sent
        need = await self.need(announcement)
        if need.bypassed:
            await self._bypassed(inv, f"send {announcement.id}")
            return need
        if not need.required:
            return None
        revision = await self._stores.approvals.revision(announcement.id) or 0
        latest = await self._stores.approvals.latest(announcement.id)
        if latest is not None and _approved_send(latest, revision):
            return None  # approved for this text already (its send was refused, then fixed)
        topic_ids = await self._stores.announcements.topic_ids(announcement.id)
        reach = await self._stores.announcements.reach(topic_ids, announcement.audience)
        if reach.channels == 0:
            return None  # nobody to approve it for: the send path says so
        approval = await self._stores.approvals.request(
            announcement.id,
            revision=revision,
            kind=ApprovalKind.SEND,
            requested_by=inv.user,
            now=self._clock.now(),
        )
        await self._audit(inv, "approval-requested", f"send {announcement.id} (revision {revision})")
        preview = Previewed(
            announcement,
            reach,
            await self._timing(announcement, topic_ids),
            ack_hours=self._settings.ack_reminder_hours,
            default_language=self._settings.default_language,
        )
        return ApprovalRequested(approval, preview, need)

    async def gate_edit(self, inv: Invocation, cmd: Edit) -> EditApprovalRequested | ApprovalRefused | None:
        """A new text for an announcement whose approved text is waiting for its time (or, with
        `all`, is already out): a request for the edit; None when the edit goes the normal way."""
        if cmd.title is None and cmd.body is None:
            return None  # a new time only: `reschedule`'s rules
        announcement = await self._stores.announcements.get(cmd.announcement_id)
        if announcement is None:
            return None
        gated = announcement.status is AnnouncementStatus.SCHEDULED or (
            announcement.status in _OUT and self._settings.approval is ApprovalMode.ALL
        )
        if not gated:
            return None
        need = await self.need(announcement)
        if need.bypassed:
            await self._bypassed(inv, f"edit {announcement.id}")
        title = cmd.title if cmd.title is not None else announcement.title
        body = cmd.body if cmd.body is not None else announcement.body
        if not need.required or (title, body) == (announcement.title, announcement.body):
            return None
        if cmd.send_at is not None:
            return ApprovalRefused(ApprovalRefusal.EDIT_AND_TIME, announcement.id)
        approval = await self._stores.approvals.request(
            announcement.id,
            revision=await self._stores.approvals.revision(announcement.id) or 0,
            kind=ApprovalKind.EDIT,
            requested_by=inv.user,
            now=self._clock.now(),
            title=title,
            body=body,
        )
        detail = f"edit {announcement.id} (revision {approval.revision}): {title}"
        await self._audit(inv, "approval-requested", detail)
        return EditApprovalRequested(approval, announcement)

    async def approve(self, inv: Invocation, cmd: Approve) -> Approved | ApprovalRefused | Refused:
        """Another admin's approval of what awaits it: then the send (or the edit) goes ahead."""
        found = await self._pending(inv, cmd.announcement_id, approving=True)
        if not isinstance(found, tuple):
            return found
        approval, announcement = found
        decided = await self._stores.approvals.decide(
            approval.id, state=ApprovalState.APPROVED, decided_by=inv.user, now=self._clock.now()
        )
        if decided is None:
            return ApprovalRefused(ApprovalRefusal.TAKEN, announcement.id)
        await self._audit(
            inv, "approved", f"{_what(decided)} {announcement.id} (revision {decided.revision})"
        )
        if decided.kind is ApprovalKind.EDIT:
            edit = Edit(announcement.id, title=decided.title, body=decided.body)
            return Approved(decided, announcement.title, await self._revisions.edit(edit))
        return Approved(decided, announcement.title, await self._admin.send_draft(Send(announcement.id)))

    async def reject(self, inv: Invocation, cmd: Reject) -> ChangesRequested | ApprovalRefused | Refused:
        """ "Request changes": nothing goes out; the comment is kept, audited and shown to the author."""
        found = await self._pending(inv, cmd.announcement_id, approving=False)
        if not isinstance(found, tuple):
            return found
        approval, announcement = found
        decided = await self._stores.approvals.decide(
            approval.id,
            state=ApprovalState.CHANGES_REQUESTED,
            decided_by=inv.user,
            comment=cmd.comment,
            now=self._clock.now(),
        )
        if decided is None:
            return ApprovalRefused(ApprovalRefusal.TAKEN, announcement.id)
        detail = f"{_what(decided)} {announcement.id} (revision {decided.revision}): {cmd.comment}"
        await self._audit(inv, "changes-requested", detail)
        return ChangesRequested(decided, announcement.title, approval.requested_by)

    async def set_topic(self, cmd: TopicApproval) -> TopicApprovalSet | Refused:
        changed = await self._stores.approvals.set_topic_approval(cmd.slug, required=cmd.required)
        if changed is None:
            known = [t.slug for t in await self._stores.topics.all(include_archived=True)]
            close = difflib.get_close_matches(cmd.slug, known, n=1, cutoff=0.6)
            return Refused(
                RefusalCode.UNKNOWN_TOPIC, "slug", value=cmd.slug, suggestion=next(iter(close), "")
            )
        return TopicApprovalSet(cmd.slug, cmd.required, changed)

    async def history(self, announcement_id: int) -> tuple[list[Approval], int]:
        """Every request for the announcement, oldest first, and its current revision."""
        history = await self._stores.approvals.history(announcement_id)
        return history, await self._stores.approvals.revision(announcement_id) or 0

    async def announce(self, inv: Invocation, announcement_id: int) -> None:
        """A request made outside the chat (the CLI): said in the admin channel `inv` names."""
        a = await self._stores.announcements.get(announcement_id)
        approval = await self._stores.approvals.latest(announcement_id)
        if a is None or approval is None or approval.state is not ApprovalState.PENDING:
            return
        who = inv.user.display_name or inv.user.user
        text = m.APPROVAL_NOTICE.format(id=a.id, title=a.title, who=who)
        key = f"approval:{approval.id}"
        await self._stores.notices.add(
            [NoticeDraft(key=key, channel=inv.channel, text=text)], now=self._clock.now()
        )
        self._wake_worker()

    async def _pending(
        self, inv: Invocation, announcement_id: int, *, approving: bool
    ) -> tuple[Approval, Announcement] | ApprovalRefused | Refused:
        """The request awaiting a decision, if `inv` may decide it and it is for the current text."""
        announcement = await self._stores.announcements.get(announcement_id)
        if announcement is None:
            return Refused(RefusalCode.NO_SUCH_ANNOUNCEMENT, announcement_id=announcement_id)
        approval = await self._stores.approvals.latest(announcement_id)
        if approval is None or approval.state is not ApprovalState.PENDING:
            return ApprovalRefused(ApprovalRefusal.NOTHING_PENDING, announcement_id)
        if approval.requested_by.key() == inv.user.key():
            what = "approve" if approving else "reject"
            await self._audit(inv, "refused", f"own request: {what} {announcement_id}", allowed=False)
            return ApprovalRefused(ApprovalRefusal.OWN, announcement_id, approving=approving)
        if approval.kind is ApprovalKind.SEND and announcement.status is not AnnouncementStatus.DRAFT:
            # Cancelled (or sent by an approval elsewhere) since: nothing is left to approve.
            await self._stores.approvals.decide(
                approval.id, state=ApprovalState.VOID, decided_by=None, now=self._clock.now()
            )
            status = announcement.status.value
            return Refused(RefusalCode.NOT_A_DRAFT, announcement_id=announcement_id, status=status)
        if approval.revision != (await self._stores.approvals.revision(announcement_id) or 0):
            await self._stores.approvals.decide(
                approval.id, state=ApprovalState.VOID, decided_by=None, now=self._clock.now()
            )
            return ApprovalRefused(ApprovalRefusal.STALE, announcement_id)
        return approval, announcement

    async def _timing(self, announcement: Announcement, topic_ids: list[int]) -> tuple[str, ...]:
        """When it would go out once approved (its time, quiet hours, digests), as the preview says."""
        groups = await self._stores.schedules.target_groups(topic_ids, announcement.audience)
        scheduling, urgent = self._admin.scheduling, announcement.priority is Priority.URGENT
        plan = scheduling.plan(
            groups, schedule=announcement.schedule, urgent=urgent, hold_digests=self._admin.hold_digests
        )
        return tuple(scheduling.describe(plan, announcement.schedule))

    async def _bypassed(self, inv: Invocation, what: str) -> None:
        await self._audit(inv, "approval-bypassed", f"{what}: urgent, PARTNERBOT_URGENT_NEEDS_APPROVAL=false")

    async def _audit(self, inv: Invocation, action: str, detail: str, *, allowed: bool = True) -> None:
        await self._stores.audit.record(
            user=inv.user,
            channel=inv.channel.key(),
            action=action,
            detail=detail,
            allowed=allowed,
            now=self._clock.now(),
        )


def _approved_send(approval: Approval, revision: int) -> bool:
    return (
        approval.kind is ApprovalKind.SEND
        and approval.state is ApprovalState.APPROVED
        and approval.revision == revision
    )


def _what(approval: Approval) -> str:
    return approval.kind.value
