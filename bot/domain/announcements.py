"""Announcements: their audience, priority and status, and the reach counted before sending."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain.cta import CallToAction
from bot.domain.directory import Partner
from bot.domain.files import Attachment
from bot.domain.refs import ChannelRef, UserRef
from bot.domain.scheduling import Schedule


class Priority(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


class AnnouncementStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    CANCELLED = "cancelled"
    RECALLED = "recalled"


@dataclass(frozen=True, slots=True)
class Audience:
    """Who an announcement is for. An empty set means "any" for that attribute."""

    tiers: frozenset[str] = frozenset()
    types: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()

    def is_everyone(self) -> bool:
        return not (self.tiers or self.types or self.regions or self.languages)

    def matches(self, partner: Partner | None) -> bool:
        """The audience rule: each attribute it names holds one of its values for the partner (exact
        values). A channel with no partner is reached only by "everyone". bot/targeting.py has the
        whole targeting rule; storage's SQL is its fast path, contract-tested against it."""
        if self.is_everyone():
            return True
        if partner is None:
            return False
        return all(
            not wanted or value in wanted
            for wanted, value in (
                (self.tiers, partner.tier),
                (self.types, partner.type),
                (self.regions, partner.region),
                (self.languages, partner.language),
            )
        )

    def describe(self) -> str:
        parts = [
            f"{name}: {', '.join(sorted(values))}"
            for name, values in (
                ("tier", self.tiers),
                ("type", self.types),
                ("region", self.regions),
                ("language", self.languages),
            )
            if values
        ]
        return "; ".join(parts) if parts else "all partners"

    def to_json(self) -> dict[str, list[str]]:
        return {
            "tiers": sorted(self.tiers),
            "types": sorted(self.types),
            "regions": sorted(self.regions),
            "languages": sorted(self.languages),
        }

    @classmethod
    def from_json(cls, data: dict[str, list[str]] | None) -> Audience:
        data = data or {}
        return cls(
            tiers=frozenset(data.get("tiers", ())),
            types=frozenset(data.get("types", ())),
            regions=frozenset(data.get("regions", ())),
            languages=frozenset(data.get("languages", ())),
        )

    @classmethod
    def of(cls, values: Mapping[str, Iterable[str]]) -> Audience:
        """From the values picked per audience key (`tier`, `type`, `region`, `language`), as forms,
        options and the CLI gather them; a key not given means any."""
        return cls(
            tiers=frozenset(values.get("tier", ())),
            types=frozenset(values.get("type", ())),
            regions=frozenset(values.get("region", ())),
            languages=frozenset(values.get("language", ())),
        )


@dataclass(frozen=True, slots=True)
class Announcement:
    id: int
    title: str
    body: str
    topics: tuple[str, ...]
    audience: Audience
    priority: Priority
    status: AnnouncementStatus
    author: UserRef
    origin: ChannelRef
    created_at: datetime
    sent_at: datetime | None = None
    schedule: Schedule | None = None
    # Urgent only: partners confirm they read it ("Acknowledge"), and are reminded once if not.
    ack_required: bool = False
    # `broadcast audience:<name>`: the saved audience it targets. While it is a draft, `audience` is
    # that saved audience's filters as they are now; sending fixes them (bot/domain/audiences.py).
    audience_name: str | None = None
    # `cta:"Label|URL"`: up to three link buttons, in the order written (bot/domain/cta.py).
    ctas: tuple[CallToAction, ...] = ()
    # Files it carries, in order (stored once each, bot/ports/files.py).
    files: tuple[Attachment, ...] = ()


@dataclass(frozen=True, slots=True)
class Reach:
    """Who a broadcast would reach, counted before anything is written."""

    channels: int
    partners: int
    by_platform: dict[str, int]
    by_tier: dict[str, int]
    by_region: dict[str, int]


@dataclass(frozen=True, slots=True)
class RecallCounts:
    """What `recall` did at once: copies queued for deletion, deliveries that will never go out."""

    to_delete: int
    cancelled: int
