"""The partner directory: partners, their channels and delivery modes, roster imports, invites."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain.engagement import PartnerEngagement, SendingLoad
from bot.domain.refs import ChannelRef


class DeliveryMode(StrEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"
    WEEKLY = "weekly"


@dataclass(frozen=True, slots=True)
class Partner:
    id: int
    name: str
    tier: str
    type: str
    region: str
    language: str
    timezone: str
    # Set by `partner remove`: the partner is out of lists and targeting, its history stays.
    removed_at: datetime | None = None

    def profile(self) -> dict[str, str]:
        """The attributes an admin sets, by key (`partner set`, the CSV import)."""
        return {
            "tier": self.tier,
            "type": self.type,
            "region": self.region,
            "language": self.language,
            "timezone": self.timezone,
        }


@dataclass(frozen=True, slots=True)
class Channel:
    id: int
    ref: ChannelRef
    name: str
    partner_id: int | None
    mode: DeliveryMode
    timezone: str | None
    active: bool
    # "HH:MM-HH:MM", "off" (explicitly none), or None (the vendor default applies).
    quiet_hours: str | None = None
    # `settings language <tag>`: the language partnerbot speaks in this channel (BCP 47, lower case);
    # None: the partner's, else the platform's locale, else the vendor default.
    language: str | None = None
    # Non-urgent announcements per rolling week: 1..50, 0 (`off`: none, whatever the vendor sets), or
    # None (the vendor default, PARTNERBOT_WEEKLY_CAP).
    weekly_cap: int | None = None


@dataclass(frozen=True, slots=True)
class PartnerProfile:
    """A partner row as imported or invited (no id yet)."""

    name: str
    tier: str
    type: str = ""
    region: str = ""
    language: str = ""
    timezone: str = "UTC"


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One validated line of a partner import: the partner and, optionally, its channel."""

    line: int
    partner: PartnerProfile
    channel: ChannelRef | None
    topics: tuple[str, ...] = ()  # slugs the channel is subscribed to on import


@dataclass(frozen=True, slots=True)
class PartnerChannel:
    """One of a partner's channels on its card: the channel, why it is off, what it follows."""

    channel: Channel
    deactivated_reason: str
    topics: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PartnerCard:
    """`partner <name>`: the partner, its channels, and when it was last active."""

    partner: Partner
    channels: tuple[PartnerChannel, ...]
    last_delivery: datetime | None  # the last announcement delivered to one of its channels
    last_feedback: datetime | None  # its last question, reaction or acknowledgement
    load: SendingLoad | None = None  # announcements received against actions, the last 30 days
    engagement: PartnerEngagement | None = None  # score, trend and recent actions


@dataclass(frozen=True, slots=True)
class PartnerFilter:
    """`partnerbot partners list --tier … --topic …`: empty means any."""

    tiers: frozenset[str] = frozenset()
    types: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()


class InviteOutcome(StrEnum):
    JOINED = "joined"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
