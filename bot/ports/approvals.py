"""Approval before send: the requests, their outcomes, and which topics require one."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.domain.approvals import Approval, ApprovalKind, ApprovalState
from bot.domain.refs import UserRef


class ApprovalStore(Protocol):
    """Implemented by `storage.repositories.ApprovalRepository`."""

    async def revision(self, announcement_id: int) -> int | None:
        """The announcement's current revision (bumped by every edit); None if there is none."""
        ...

    async def approval_topics(self, announcement_id: int) -> list[str]:
        """The announcement's topics marked `topic require-approval`, by slug."""
        ...

    async def set_topic_approval(self, slug: str, *, required: bool) -> bool | None:
        """Mark a topic (archived ones too); whether that changed anything, None for no such topic."""
        ...

    async def request(
        self,
        announcement_id: int,
        *,
        revision: int,
        kind: ApprovalKind,
        requested_by: UserRef,
        now: datetime,
        title: str | None = None,
        body: str | None = None,
    ) -> Approval:
        """A new pending request; older pending ones of the announcement become void."""
        ...

    async def decide(
        self,
        approval_id: int,
        *,
        state: ApprovalState,
        decided_by: UserRef | None,
        comment: str = "",
        now: datetime,
    ) -> Approval | None:
        """Settle a pending request (approved, changes requested, void); None if it is not pending."""
        ...

    async def latest(self, announcement_id: int) -> Approval | None:
        """The announcement's newest request, whatever its state."""
        ...

    async def history(self, announcement_id: int) -> list[Approval]:
        """Every request of the announcement, oldest first."""
        ...
