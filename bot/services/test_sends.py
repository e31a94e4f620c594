"""`test <id>` and the preview's "Send test": a copy of an announcement, exactly as partners will see it,
posted into the admin channel it was asked from (or the platform's test channel), counted nowhere.

The copy goes through the notice outbox (leases, retries, rate limits, look-before-reposting), and the
worker renders it from the announcement with the same `AnnouncementPost` a delivery uses
(bot/services/queues.py `NoticeQueue`), so each platform's Sender draws it exactly as a delivery —
whatever a delivery carries, the test copy carries too. It writes no delivery row, so no stats and no
engagement count it; buttons pressed on it get a "this is a test copy" answer (bot/core.py).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot import messages as m
from bot.cadence import NoticeDraft
from bot.commands import SendTest
from bot.domain.announcements import AnnouncementStatus
from bot.domain.conversation import Invocation, RefusalCode
from bot.domain.refs import ChannelRef, Platform
from bot.ports.announcements import AnnouncementStore
from bot.ports.clock import Clock
from bot.ports.outbox import NoticeStore
from bot.results import FilesRefused, Refused, TestQueued
from bot.services.files import FileService

_GONE = (AnnouncementStatus.CANCELLED, AnnouncementStatus.RECALLED)


@dataclass(frozen=True, slots=True)
class TestSendPorts:
    """The ports TestSendService uses (bot/core.py wires them)."""

    announcements: AnnouncementStore
    notices: NoticeStore


class TestSendService:
    __test__ = False  # not a pytest class

    def __init__(
        self,
        ports: TestSendPorts,
        clock: Clock,
        *,
        test_channels: Mapping[Platform, str],
        wake_worker: Callable[[], None],
        files: FileService | None = None,
    ) -> None:
        self._stores = ports
        self._clock = clock
        # Per platform, the channel test copies go to instead of the admin channel they are asked from.
        self._test_channels = dict(test_channels)
        self._wake_worker = wake_worker
        # Checks an announcement's files against the test channel's platform (None: no FileStore).
        self._files = files

    async def queue(self, inv: Invocation, cmd: SendTest) -> TestQueued | FilesRefused | Refused:
        """Queue a test copy of a draft, scheduled or sent announcement (not a cancelled or recalled
        one) for the test channel of the caller's platform, or the caller's channel; refused when
        that platform cannot take its files (the copy would fail in the outbox, out of sight)."""
        announcement = await self._stores.announcements.get(cmd.announcement_id)
        if announcement is None:
            return Refused(RefusalCode.NO_SUCH_ANNOUNCEMENT, announcement_id=cmd.announcement_id)
        if announcement.status in _GONE:
            return Refused(
                RefusalCode.NOT_TESTABLE, announcement_id=announcement.id, status=announcement.status.value
            )
        target = self.channel_for(inv.channel)
        if announcement.files and self._files is not None:
            problems = self._files.check(announcement.files, [target.platform.value])
            if problems:
                return FilesRefused(problems, announcement.id, test=True)
        # Each press is its own copy: a random key (the notice outbox is idempotent per key).
        key = f"test:{announcement.id}:{secrets.token_hex(8)}"
        mark = m.TEST_MARK.format(id=announcement.id)
        draft = NoticeDraft(key=key, channel=target, text=mark, announcement_id=announcement.id)
        await self._stores.notices.add([draft], now=self._clock.now())
        self._wake_worker()
        return TestQueued(announcement.id, announcement.title, elsewhere=target != inv.channel)

    def channel_for(self, asked_in: ChannelRef) -> ChannelRef:
        channel = self._test_channels.get(asked_in.platform)
        return ChannelRef(asked_in.platform, asked_in.workspace, channel) if channel else asked_in
