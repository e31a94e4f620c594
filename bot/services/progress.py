"""The live progress message of a broadcast, kept up to date in the admin channel.

`send` queues it as a notice (so it is posted exactly once, by any process, through the outbox);
the `broadcast-progress` job then edits it in place while deliveries, edits or deletions are under
way, and one last time with the summary: failures grouped by reason. The message is the bot's own
(not the ephemeral or interaction-owned preview), so any process can edit it for as long as a large,
rate-limited broadcast takes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot import messages as m
from bot.cadence import NoticeDraft
from bot.domain.analytics import DeliveryProgress, ProgressSlot
from bot.domain.announcements import Announcement, AnnouncementStatus
from bot.domain.refs import MessageRef, Platform
from bot.domain.sending import Outgoing, RelayKind, RelayPost
from bot.ports.analytics import ProgressStore, StatsStore
from bot.ports.announcements import RevisionStore
from bot.ports.clock import Clock
from bot.ports.outbox import NoticeStore
from bot.ports.sending import Sender, SendError
from bot.safety import neutralize_mentions

log = logging.getLogger(__name__)

_BAR = 10
_TOP_REASONS = 5
_ONGOING = (AnnouncementStatus.DRAFT, AnnouncementStatus.SCHEDULED, AnnouncementStatus.SENDING)


def notice_key(announcement_id: int) -> str:
    return f"progress:{announcement_id}"


@dataclass(frozen=True, slots=True)
class ProgressPorts:
    """The ports ProgressService uses (bot/core.py wires them)."""

    notices: NoticeStore
    progress: ProgressStore
    stats: StatsStore
    revisions: RevisionStore


class ProgressService:
    def __init__(self, ports: ProgressPorts, clock: Clock) -> None:
        self._stores = ports
        self._clock = clock

    async def start(self, announcement: Announcement, count: int) -> None:
        """`send` accepted: queue the progress message in the admin channel it was sent from."""
        key = notice_key(announcement.id)
        text = m.PROGRESS_QUEUED.format(
            id=announcement.id, title=neutralize_mentions(announcement.title), channels=m.CHANNELS(count)
        )
        await self._stores.notices.add(
            [NoticeDraft(key=key, channel=announcement.origin, text=text)], now=self._clock.now()
        )
        await self._stores.progress.attach(announcement.id, key)

    async def refresh(self, senders: Callable[[Platform], Sender | None]) -> int:
        """Edit every progress message whose text changed (with the platforms this process can
        send to); how many were edited."""
        edited = 0
        for slot in await self._stores.progress.due():
            sender = senders(slot.channel.platform)
            if sender is None:
                continue  # another process, connected to that platform, keeps this one
            text, final = await self.render(slot)
            if text == slot.shown and not final:
                continue
            if not await self._stores.progress.save(
                slot.announcement_id, text=text, final=final, shown=slot.shown
            ):
                continue  # another process is showing this update
            try:
                await sender.edit(MessageRef(slot.channel, slot.message_id), _outgoing(slot, text))
            except SendError as exc:
                # Show it again on the next tick: put back what the message really shows.
                log.warning("progress of #%s not updated: %s", slot.announcement_id, exc)
                await self._stores.progress.restore(slot.announcement_id, shown=slot.shown)
                continue
            edited += 1
        return edited

    async def render(self, slot: ProgressSlot) -> tuple[str, bool]:
        """The message text, and whether it is the final summary."""
        progress = await self._stores.stats.progress(slot.announcement_id, now=self._clock.now())
        updates = await self._stores.revisions.counts(slot.announcement_id)
        updating = any(status in ("pending", "claimed") for (_, status), _n in updates.items())
        final = slot.status not in _ONGOING and not progress.in_flight and not updating
        title = neutralize_mentions(slot.title)
        if slot.status is AnnouncementStatus.RECALLED:
            lines = [_recall_line(slot.announcement_id, title, updates, final=final)]
        elif final:
            lines = [_done_line(slot.announcement_id, title, progress), *_failures(progress)]
        else:
            lines = [_sending_line(slot.announcement_id, title, progress)]
            if progress.failures_by_reason:
                lines += _failures(progress)
        if progress.held:
            lines.append(m.PROGRESS_HELD.format(held=progress.held))
        edits = _edit_line(updates)
        if edits:
            lines.append(edits)
        return "\n".join(lines), final


def _sending_line(announcement_id: int, title: str, p: DeliveryProgress) -> str:
    due = max(1, p.total - p.held - p.withdrawn)
    share = p.done / due
    filled = round(share * _BAR)
    return m.PROGRESS_SENDING.format(
        id=announcement_id,
        title=title,
        bar="▓" * filled + "░" * (_BAR - filled),
        percent=int(share * 100),
        sent=p.sent,
        pending=p.pending,
        failed=p.failed,
    )


def _done_line(announcement_id: int, title: str, p: DeliveryProgress) -> str:
    return m.PROGRESS_DONE.format(
        id=announcement_id,
        title=title,
        sent=p.sent,
        channels=m.CHANNELS(p.total - p.withdrawn),
        failed=p.failed,
    )


def _failures(p: DeliveryProgress) -> list[str]:
    if not p.failures_by_reason:
        return []
    shown = [
        m.PROGRESS_FAILURE_LINE.format(reason=neutralize_mentions(reason), count=count)
        for reason, count in p.failures_by_reason[:_TOP_REASONS]
    ]
    return [m.PROGRESS_FAILURES, *shown]


def _recall_line(
    announcement_id: int, title: str, updates: Mapping[tuple[str, str], int], *, final: bool
) -> str:
    deleted = updates.get(("delete", "sent"), 0)
    if final:
        line = m.PROGRESS_RECALLED.format(id=announcement_id, title=title, copies=m.COPIES(deleted))
        failed = updates.get(("delete", "failed"), 0)
        return line + (
            m.PROGRESS_UPDATE_FAILED.format(failed=failed, reasons=m.PROGRESS_SEE_LOGS) if failed else "."
        )
    total = sum(n for (kind, status), n in updates.items() if kind == "delete" and status != "superseded")
    return m.PROGRESS_RECALLING.format(
        id=announcement_id, title=title, deleted=deleted, copies=m.COPIES(total)
    )


def _edit_line(updates: Mapping[tuple[str, str], int]) -> str:
    counted = {status: n for (k, status), n in updates.items() if k == "edit" and status != "superseded"}
    total = sum(counted.values())
    if not total:
        return ""
    failed = counted.get("failed", 0)
    suffix = m.PROGRESS_UPDATE_FAILED.format(failed=failed, reasons=m.PROGRESS_SEE_STATS) if failed else ""
    return m.PROGRESS_EDIT.format(done=counted.get("sent", 0), copies=m.COPIES(total), failed=suffix)


def _outgoing(slot: ProgressSlot, text: str) -> Outgoing:
    # Plain text, like every notice: the same rendering the worker used to post it.
    return Outgoing(
        channel=slot.channel, content=RelayPost(relay_id=slot.notice_id, kind=RelayKind.NOTICE, text=text)
    )
