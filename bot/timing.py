"""Values that say *when* deliveries go out: target groups, their timings, scheduled listings.

The store groups a broadcast's targets by what decides their timing (time zone, quiet hours,
delivery mode); the scheduling service turns each group into a `GroupTiming`; the store writes every
row of a group with that timing in one INSERT … SELECT. Group keys are plain strings so the store
can match them in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain.announcements import Announcement, AnnouncementStatus
from bot.domain.directory import DeliveryMode


def group_key(zone: str, quiet: str, mode: str) -> str:
    """The key the store computes in SQL for each target channel: `zone|quiet|mode`."""
    return f"{zone}|{quiet}|{mode}"


@dataclass(frozen=True, slots=True)
class TargetGroup:
    """Targeted channels sharing a zone, quiet hours and mode, as stored ("" = not set)."""

    zone: str  # the channel's zone, else its partner's, else ""
    quiet: str  # the channel's quiet hours: "HH:MM-HH:MM", "off", or "" (vendor default)
    mode: DeliveryMode
    channels: int

    @property
    def key(self) -> str:
        return group_key(self.zone, self.quiet, self.mode.value)


@dataclass(frozen=True, slots=True)
class GroupTiming:
    """How one target group's delivery rows are written.

    `release` is when the announcement becomes due for the group (now, or the scheduled time in
    its zone); `not_before` is when its rows may be posted (later than `release` during quiet
    hours); `held` rows wait for the channel's digest, due at `digest_at`.
    """

    group: TargetGroup
    zone: str  # the zone actually used, defaults applied
    release: datetime
    not_before: datetime
    held: bool = False
    digest_at: datetime | None = None

    @property
    def quiet_deferred(self) -> bool:
        return not self.held and self.not_before > self.release


@dataclass(frozen=True, slots=True)
class DeliveryPlan:
    """Everything `start_sending` needs to time a broadcast's rows.

    `status` is SENDING for an immediate send, SCHEDULED for a scheduled one. Channels matching no
    group (their settings changed between planning and writing) get `fallback` and are held by mode.
    """

    status: AnnouncementStatus
    timings: tuple[GroupTiming, ...]
    fallback: datetime


@dataclass(frozen=True, slots=True)
class ScheduledAnnouncement:
    """A line of `scheduled`: the announcement and its rows still waiting to go out."""

    announcement: Announcement
    waiting: int
    first: datetime | None
    last: datetime | None


class RescheduleOutcome(StrEnum):
    RESCHEDULED = "rescheduled"
    TOO_LATE = "too_late"  # a delivery was already claimed or posted
    NOT_RESCHEDULABLE = "not_reschedulable"  # neither a draft nor a scheduled announcement
    MISSING = "missing"


class CancelOutcome(StrEnum):
    CANCELLED = "cancelled"
    TOO_LATE = "too_late"  # a delivery was already claimed or posted
    NOT_CANCELLABLE = "not_cancellable"  # not a draft or scheduled announcement
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class HeldGroup:
    """Channels with announcements held for a digest that share a zone ("" = unset) and mode.
    `missed`: an immediate channel's announcements held by its weekly cap (bot/caps.py), for its
    "You also missed" digest; always False for daily/weekly channels, whose digest carries both."""

    zone: str
    mode: DeliveryMode
    missed: bool = False
