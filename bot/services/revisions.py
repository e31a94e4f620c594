"""`edit` and `recall`: change or withdraw an announcement, including the copies already delivered.

The work itself goes through the update outbox (storage/repositories/revisions.py), claimed by the
delivery worker with the same leases, retries and rate limits as sending; here are the admin's
commands and their answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.commands import Edit, Recall, Reschedule
from bot.domain.announcements import Announcement, AnnouncementStatus
from bot.domain.conversation import RefusalCode
from bot.ports.analytics import ProgressStore
from bot.ports.announcements import AnnouncementStore, RevisionStore
from bot.ports.clock import Clock
from bot.results import (
    Edited,
    EditResult,
    EditUnchanged,
    HowToEdit,
    Previewed,
    Recalled,
    Refused,
    Revised,
)
from bot.services.rescheduling import ReschedulingService
from bot.settings import CoreSettings


@dataclass(frozen=True, slots=True)
class RevisionPorts:
    """The ports RevisionService uses (bot/core.py wires them)."""

    announcements: AnnouncementStore
    revisions: RevisionStore
    progress: ProgressStore


class RevisionService:
    def __init__(
        self,
        ports: RevisionPorts,
        clock: Clock,
        settings: CoreSettings,
        *,
        wake_worker: Callable[[], None],
        rescheduling: ReschedulingService,
    ) -> None:
        self._stores = ports
        self._clock = clock
        self._settings = settings
        self._wake_worker = wake_worker
        self._rescheduling = rescheduling

    async def edit(self, cmd: Edit) -> EditResult:
        """A new time (`at:`, first: when it is refused nothing changes), then a new title/body."""
        if cmd.send_at is None:
            return await self._edit_text(cmd)
        moved = await self._rescheduling.reschedule(
            Reschedule(cmd.announcement_id, cmd.send_at, send_zone=cmd.send_zone, send_local=cmd.send_local)
        )
        if isinstance(moved, Refused) or (cmd.title is None and cmd.body is None):
            return moved
        return Revised(moved, await self._edit_text(cmd))

    async def _edit_text(self, cmd: Edit) -> Edited | EditUnchanged | Previewed | Refused:
        announcement = await self._stores.announcements.get(cmd.announcement_id)
        if announcement is None:
            return _no_such(cmd.announcement_id)
        title = cmd.title if cmd.title is not None else announcement.title
        body = cmd.body if cmd.body is not None else announcement.body
        if (title, body) == (announcement.title, announcement.body):
            return EditUnchanged(announcement.id)
        copies = await self._stores.revisions.edit(
            announcement.id, title=title, body=body, now=self._clock.now()
        )
        if copies is None:
            current = await self._stores.announcements.get(announcement.id)
            status = (current or announcement).status.value
            return Refused(RefusalCode.NOT_EDITABLE, announcement_id=announcement.id, status=status)
        if announcement.status is AnnouncementStatus.DRAFT:
            # A draft: show the new preview, with its Send / Edit / Cancel buttons.
            return await self._previewed(replace(announcement, title=title, body=body))
        await self._stores.progress.reopen(announcement.id)
        self._wake_worker()
        return Edited(announcement.id, copies)

    async def preview(self, announcement_id: int) -> Previewed | None:
        """A draft's preview as it stands (its translations changed: reach by language anew); None
        when it is no draft (any more)."""
        announcement = await self._stores.announcements.get(announcement_id)
        if announcement is None or announcement.status is not AnnouncementStatus.DRAFT:
            return None
        return await self._previewed(announcement)

    async def _previewed(self, announcement: Announcement) -> Previewed:
        topic_ids = await self._stores.announcements.topic_ids(announcement.id)
        reach = await self._stores.announcements.reach(topic_ids, announcement.audience)
        return Previewed(
            announcement,
            reach,
            ack_hours=self._settings.ack_reminder_hours,
            default_language=self._settings.default_language,
        )

    async def how_to_edit(self, announcement_id: int) -> HowToEdit | Refused:
        """The Edit button where no form can be shown: the command to type, and the current text."""
        announcement = await self._stores.announcements.get(announcement_id)
        if announcement is None:
            return _no_such(announcement_id)
        return HowToEdit(announcement)

    async def recall(self, cmd: Recall) -> Recalled | Refused:
        announcement = await self._stores.announcements.get(cmd.announcement_id)
        if announcement is None:
            return _no_such(cmd.announcement_id)
        if announcement.status is AnnouncementStatus.DRAFT:
            return Refused(RefusalCode.NOT_RECALLABLE, announcement_id=announcement.id, status="draft")
        counts = await self._stores.revisions.recall(announcement.id, now=self._clock.now())
        if counts is None:
            current = await self._stores.announcements.get(announcement.id)
            status = (current or announcement).status.value
            return Refused(RefusalCode.NOT_RECALLABLE, announcement_id=announcement.id, status=status)
        await self._stores.progress.reopen(announcement.id)
        self._wake_worker()
        return Recalled(announcement.id, announcement.title, counts.to_delete, counts.cancelled)


def _no_such(announcement_id: int) -> Refused:
    return Refused(RefusalCode.NO_SUCH_ANNOUNCEMENT, announcement_id=announcement_id)
