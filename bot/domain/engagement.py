"""Engagement events: one append-only record of what partners do, and whether they did it of their
own accord (proactive) or in answer to something the vendor pushed at them (reactive).

Each event is written by the storage method that performs the action, in the same transaction, so a
refused or failed action records nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class EngagementKind(StrEnum):
    REACTION_ADDED = "reaction_added"
    REACTION_REMOVED = "reaction_removed"
    HELPFUL = "helpful"
    ACKNOWLEDGED = "acknowledged"
    QUESTION_ASKED = "question_asked"
    ANSWER_RECEIVED = "answer_received"
    NEWS_PULLED = "news_pulled"
    SUBSCRIBED = "subscribed"
    UNSUBSCRIBED = "unsubscribed"
    MUTED = "muted"
    SETTINGS_CHANGED = "settings_changed"
    JOINED = "joined"
    LINK_CLICKED = "link_clicked"  # reserved: recorded once rich announcements carry links


# Proactive: the partner chose to act without being asked — pulling news, subscribing, asking, joining,
# tuning their settings. Unsubscribing and muting are proactive too: a deliberate choice about what
# they receive, which says as much about engagement as subscribing does (and is the early sign of a
# partner drifting away). Reactive: a response to something pushed at them — reactions, Helpful,
# Acknowledge, and receiving an answer (the vendor's move, counted for the partner who asked).
# A link click will be reactive (it follows a pushed announcement).
PROACTIVE: frozenset[EngagementKind] = frozenset(
    {
        EngagementKind.NEWS_PULLED,
        EngagementKind.SUBSCRIBED,
        EngagementKind.UNSUBSCRIBED,
        EngagementKind.MUTED,
        EngagementKind.QUESTION_ASKED,
        EngagementKind.SETTINGS_CHANGED,
        EngagementKind.JOINED,
    }
)


def is_proactive(kind: EngagementKind) -> bool:
    return kind in PROACTIVE


# How a "Helpful" press is stored among an announcement's reactions (bot/services/feedback.py uses it).
HELPFUL_EMOJI = "helpful"


@dataclass(frozen=True, slots=True)
class EngagementCount:
    """How many events of one kind one partner had within a window (`EngagementStore.counts`)."""

    partner_id: int
    kind: EngagementKind
    proactive: bool
    count: int


@dataclass(frozen=True, slots=True)
class NewsPull:
    """Who pulled `news` (recorded as a `news_pulled` event with the read): the channel, the platform
    user id, when, and the topic asked for (None: the channel's own topics)."""

    channel_id: int
    user: str | None
    at: datetime
    topic_id: int | None = None


@dataclass(frozen=True, slots=True)
class ActionTotals:
    """How many events of each kind happened within a window, whoever did them (the weekly report's
    "partner actions" line); kinds with none are absent."""

    by_kind: dict[EngagementKind, int] = field(default_factory=dict)

    @property
    def proactive(self) -> int:
        return sum(n for kind, n in self.by_kind.items() if is_proactive(kind))

    @property
    def reactive(self) -> int:
        return sum(n for kind, n in self.by_kind.items() if not is_proactive(kind))

    def is_empty(self) -> bool:
        return not any(self.by_kind.values())


@dataclass(frozen=True, slots=True)
class SendingLoad:
    """Over-sending at a glance: over a window of `days`, how many announcements were delivered to a
    partner's channels (or on a topic) against the engagement events that answered them."""

    days: int
    received: int
    proactive: int
    reactive: int

    @property
    def per_week(self) -> float:
        return self.received * 7 / self.days if self.days else 0.0
