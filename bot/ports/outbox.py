"""The outbox queues the delivery worker claims: deliveries and relays, digests, the bot's notices."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.cadence import NoticeDraft
from bot.domain.outbox import Outcome, Work, WorkKind
from bot.domain.refs import Platform
from bot.domain.sending import DigestItem
from bot.timing import HeldGroup


class OutboxStore(Protocol):
    """Implemented by `storage.repositories.OutboxRepository`."""

    async def claim_deliveries(
        self, *, now: datetime, lease_until: datetime, limit: int, worker: str, platforms: Sequence[str]
    ) -> list[Work]:
        """Claim due deliveries for the platforms this process can send to."""
        ...

    async def claim_relays(
        self, *, now: datetime, lease_until: datetime, limit: int, worker: str
    ) -> list[Work]: ...

    async def record(
        self, kind: WorkKind, outcomes: Sequence[Outcome], *, worker: str, now: datetime
    ) -> None:
        """Write a batch of outcomes in one transaction (group commit keeps SQLite fast)."""
        ...

    async def fail_pending_for_channel(self, channel_id: int, *, reason: str) -> int:
        """A channel was deactivated: its queued deliveries can never go out."""
        ...

    async def finish_announcements(self, announcement_ids: Sequence[int], *, now: datetime) -> list[int]:
        """Mark `sending` announcements `sent` once none of their deliveries is still queued."""
        ...

    async def due_count(self, *, now: datetime) -> int: ...

    async def message_of(self, delivery_id: int) -> str | None: ...


class DigestStore(Protocol):
    """Implemented by `storage.repositories.DigestRepository`: the digest outbox."""

    async def held_groups(self) -> list[HeldGroup]:
        """Zones and modes of active channels that have announcements held for no digest yet."""
        ...

    async def create(self, *, group: HeldGroup, period: str, boundary: datetime, now: datetime) -> int:
        """For each channel of `group`: one digest for `period` carrying its rows held up to
        `boundary`, unless that channel's digest for `period` exists. Returns how many were made."""
        ...

    async def claim(
        self, *, now: datetime, lease_until: datetime, limit: int, worker: str, platforms: Sequence[str]
    ) -> list[Work]: ...

    async def contents(self, digest_id: int) -> tuple[str, list[DigestItem]]:
        """The digest's period key and its announcements, oldest first."""
        ...

    async def record(self, outcomes: Sequence[Outcome], *, worker: str, now: datetime) -> list[int]:
        """Write outcomes; a posted digest marks its deliveries sent with its message. Returns the
        announcements touched."""
        ...

    async def by_message(self, platform: Platform, channel: str, message: str) -> int | None:
        """The channel id whose digest is `message`, for replies in a digest's thread."""
        ...


class NoticeStore(Protocol):
    """Implemented by `storage.repositories.NoticeRepository`: the outbox of the bot's own notices."""

    async def add(self, drafts: Sequence[NoticeDraft], *, now: datetime) -> int:
        """Queue each draft unless a notice with its key exists; how many were new."""
        ...

    async def claim(
        self, *, now: datetime, lease_until: datetime, limit: int, worker: str, platforms: Sequence[str]
    ) -> list[Work]:
        """Claim due notices (the channel's workspace filled in from the directory when unknown)."""
        ...

    async def content(self, notice_id: int) -> tuple[str, str | None]:
        """The notice's text and the thread it goes in, if any."""
        ...

    async def is_test_copy(self, platform: Platform, channel: str, message: str) -> bool:
        """Whether `message` in `channel` is a test copy of an announcement (`test <id>`)."""
        ...

    async def record(self, outcomes: Sequence[Outcome], *, worker: str, now: datetime) -> None: ...
