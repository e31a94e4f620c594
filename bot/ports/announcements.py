"""Announcements: drafts, reach, the start of sending, news, and edit/recall of sent ones."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.caps import WeeklyCap
from bot.domain.announcements import Announcement, AnnouncementStatus, Audience, Priority, Reach, RecallCounts
from bot.domain.cta import CallToAction
from bot.domain.directory import Partner
from bot.domain.engagement import NewsPull
from bot.domain.files import Attachment
from bot.domain.outbox import Outcome, Work
from bot.domain.refs import ChannelRef, UserRef
from bot.domain.scheduling import Schedule
from bot.domain.variants import Variant
from bot.timing import DeliveryPlan


class AnnouncementStore(Protocol):
    """Implemented by `storage.repositories.AnnouncementRepository`."""

    async def create(
        self,
        *,
        title: str,
        body: str,
        topic_ids: Sequence[int],
        audience: Audience,
        priority: Priority,
        author: UserRef,
        origin: ChannelRef,
        now: datetime,
        schedule: Schedule | None = None,
        ack_required: bool = False,
        audience_name: str | None = None,
        ctas: Sequence[CallToAction] = (),
        variants: Sequence[Variant] = (),
        files: Sequence[Attachment] = (),
    ) -> Announcement:
        """A draft; with `audience_name`, it targets that saved audience, resolved when it is sent;
        `files` (already in the FileStore) are linked to it in the same transaction."""
        ...

    async def get(self, announcement_id: int) -> Announcement | None: ...

    async def recent(self, limit: int = 10) -> list[Announcement]: ...

    async def topic_ids(self, announcement_id: int) -> list[int]: ...

    async def set_admin_thread(self, announcement_id: int, thread: str) -> str:
        """Record the admin thread for questions, unless one exists; return the one that stands."""
        ...

    async def claim_admin_thread(
        self, announcement_id: int, *, now: datetime, until: datetime
    ) -> bool | None:
        """Reserve opening the admin thread: True after a takeover, False if fresh, None if not ours."""
        ...

    async def release_admin_thread(self, announcement_id: int) -> None:
        """Give up a reservation after a send that certainly posted nothing."""
        ...

    async def admin_thread(self, announcement_id: int) -> str | None: ...

    async def reach(self, topic_ids: Sequence[int], audience: Audience) -> Reach:
        """Count the channels a broadcast would reach now: subscriptions ∩ audience ∩ active."""
        ...

    async def start_sending(
        self,
        announcement_id: int,
        topic_ids: Sequence[int],
        audience: Audience,
        *,
        bypass_digest: bool,
        now: datetime,
        allowed_from: Sequence[AnnouncementStatus] = (AnnouncementStatus.DRAFT,),
        plan: DeliveryPlan | None = None,
        cap: WeeklyCap | None = None,
    ) -> int | None:
        """Move the announcement to `sending` (or the plan's status) and write its outbox rows in one
        transaction; with a `plan`, each row gets its group's `not_before` and digest hold; with a
        `cap` (non-urgent only), a channel at its weekly cap gets a capped digest row (bot/caps.py)."""
        ...

    async def news(
        self,
        *,
        topic_ids: Sequence[int],
        partner: Partner | None,
        limit: int,
        pulled_by: NewsPull | None = None,
    ) -> list[Announcement]:
        """The latest sent announcements on these topics whose audience includes this partner; with
        `pulled_by`, a `news_pulled` engagement event is written in the same transaction."""
        ...

    async def discard_draft(self, announcement_id: int) -> bool:
        """Delete a draft as if it had never been written; False if it is not (or no longer) a draft."""
        ...


class RevisionStore(Protocol):
    """Edit and recall of announcements that went out. `storage.repositories.RevisionRepository`."""

    async def edit(self, announcement_id: int, *, title: str, body: str, now: datetime) -> int | None:
        """Change the text; how many delivered copies were queued for an in-place edit (None: not
        editable)."""
        ...

    async def edit_languages(
        self, announcement_id: int, languages: Sequence[str], *, now: datetime
    ) -> int | None:
        """Queue an in-place edit of the copies read in `languages` ("": none kept) at a new revision;
        how many were queued (None: not editable)."""
        ...

    async def recall(self, announcement_id: int, *, now: datetime) -> RecallCounts | None: ...

    async def claim(
        self, *, now: datetime, lease_until: datetime, limit: int, worker: str, platforms: Sequence[str]
    ) -> list[Work]: ...

    async def record(
        self, outcomes: Sequence[Outcome], *, worker: str, now: datetime, recalled: Sequence[int] = ()
    ) -> None: ...

    async def counts(self, announcement_id: int) -> dict[tuple[str, str], int]: ...
