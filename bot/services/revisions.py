"""`edit` and `recall`: change or withdraw an announcement, including the copies already delivered.

The work itself goes through the update outbox (storage/repositories/revisions.py), claimed by the
delivery worker with the same leases, retries and rate limits as sending; here are the admin's
commands and their answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from bot import messages as m
from bot.commands import Edit, Recall, Reschedule
from bot.domain.announcements import AnnouncementStatus
from bot.domain.conversation import Reply
from bot.ports.analytics import ProgressStore
from bot.ports.announcements import AnnouncementStore, RevisionStore
from bot.ports.clock import Clock
from bot.presenter import present
from bot.services.admin import error, preview
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

    async def edit(self, cmd: Edit) -> Reply:
        """A new time (`at:`, first: when it is refused nothing changes), then a new title/body."""
        if cmd.send_at is None:
            return await self._edit_text(cmd)
        moved = present(
            await self._rescheduling.reschedule(
                Reschedule(
                    cmd.announcement_id, cmd.send_at, send_zone=cmd.send_zone, send_local=cmd.send_local
                )
            )
        )
        if moved.is_error or (cmd.title is None and cmd.body is None):
            return moved
        edited = await self._edit_text(cmd)
        return replace(edited, text=f"{moved.text}\n{edited.text}", ephemeral=False)

    async def _edit_text(self, cmd: Edit) -> Reply:
        announcement = await self._stores.announcements.get(cmd.announcement_id)
        if announcement is None:
            return error(m.NO_SUCH_ANNOUNCEMENT.format(id=cmd.announcement_id))
        title = cmd.title if cmd.title is not None else announcement.title
        body = cmd.body if cmd.body is not None else announcement.body
        if (title, body) == (announcement.title, announcement.body):
            return Reply(text=m.EDIT_SAME.format(id=announcement.id))
        copies = await self._stores.revisions.edit(
            announcement.id, title=title, body=body, now=self._clock.now()
        )
        if copies is None:
            current = await self._stores.announcements.get(announcement.id)
            status = (current or announcement).status.value
            return error(m.NOT_EDITABLE[status].format(id=announcement.id))
        if announcement.status is AnnouncementStatus.DRAFT:
            # A draft: show the new preview, with its Send / Edit / Cancel buttons.
            edited = replace(announcement, title=title, body=body)
            topic_ids = await self._stores.announcements.topic_ids(announcement.id)
            reach = await self._stores.announcements.reach(topic_ids, announcement.audience)
            return preview(edited, reach, ack_hours=self._settings.ack_reminder_hours)
        await self._stores.progress.reopen(announcement.id)
        self._wake_worker()
        if copies:
            return Reply(
                text=m.EDITED_QUEUED.format(id=announcement.id, copies=m.COPIES(copies)), ephemeral=False
            )
        return Reply(text=m.EDITED_UNSENT.format(id=announcement.id), ephemeral=False)

    async def how_to_edit(self, announcement_id: int) -> Reply:
        """The Edit button where no form can be shown: the command to type, and the current text."""
        announcement = await self._stores.announcements.get(announcement_id)
        if announcement is None:
            return error(m.NO_SUCH_ANNOUNCEMENT.format(id=announcement_id))
        return Reply(
            text=m.EDIT_HOW.format(id=announcement.id, title=announcement.title, body=announcement.body)
        )

    async def recall(self, cmd: Recall) -> Reply:
        announcement = await self._stores.announcements.get(cmd.announcement_id)
        if announcement is None:
            return error(m.NO_SUCH_ANNOUNCEMENT.format(id=cmd.announcement_id))
        if announcement.status is AnnouncementStatus.DRAFT:
            return error(m.NOT_RECALLABLE_DRAFT.format(id=announcement.id))
        counts = await self._stores.revisions.recall(announcement.id, now=self._clock.now())
        if counts is None:
            current = await self._stores.announcements.get(announcement.id)
            status = (current or announcement).status.value
            return error(m.NOT_RECALLABLE[status].format(id=announcement.id))
        await self._stores.progress.reopen(announcement.id)
        self._wake_worker()
        return Reply(
            text=m.RECALLED.format(
                id=announcement.id,
                title=announcement.title,
                deleting=m.COPIES(counts.to_delete),
                cancelled=m.COPIES(counts.cancelled),
            ),
            ephemeral=False,
        )
