"""Approval before send (issue 19): who asked, for which revision of an announcement, and who decided.

An approval is tied to the revision it saw (`AnnouncementRow.revision`, bumped by every `edit`): an
edit after the request (or after the approval) leaves it behind, and the next `send` asks anew.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain.refs import UserRef


class ApprovalMode(StrEnum):
    """`PARTNERBOT_APPROVAL`: `off` (only topics marked `topic require-approval`), `broadcasts` (every
    send of a draft, and edits of announcements still waiting for their time), `all` (also edits of
    announcements partners already have)."""

    OFF = "off"
    BROADCASTS = "broadcasts"
    ALL = "all"


class ApprovalKind(StrEnum):
    SEND = "send"  # `send <id>` on a draft: sent (or scheduled) when approved
    EDIT = "edit"  # `edit <id>` on an announcement under approval: the new text applied when approved


class ApprovalState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"
    # Left behind: the announcement changed after the request, or a newer request replaced it.
    VOID = "void"


@dataclass(frozen=True, slots=True)
class Approval:
    """One request for approval of `announcement_id` at `revision`, and its outcome."""

    id: int
    announcement_id: int
    revision: int
    kind: ApprovalKind
    state: ApprovalState
    requested_by: UserRef
    requested_at: datetime
    decided_by: UserRef | None = None
    decided_at: datetime | None = None
    comment: str = ""
    # An edit request: the text it asks to put in place.
    title: str | None = None
    body: str | None = None


@dataclass(frozen=True, slots=True)
class ApprovalNeed:
    """Whether an announcement needs approval before it goes out, and why (for the words)."""

    required: bool
    # The topics marked `topic require-approval` among the announcement's (empty: the vendor setting).
    topics: tuple[str, ...] = ()
    # Urgent, with PARTNERBOT_URGENT_NEEDS_APPROVAL=false: sent at once, the bypass audited.
    bypassed: bool = False
