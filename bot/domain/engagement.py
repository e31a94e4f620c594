"""Engagement events: one append-only record of what partners do, and whether they did it of their
own accord (proactive) or in answer to something the vendor pushed at them (reactive).

Each event is written by the storage method that performs the action, in the same transaction, so a
refused or failed action records nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from itertools import pairwise


class EngagementKind(StrEnum):
    REACTION_ADDED = "reaction_added"
    REACTION_REMOVED = "reaction_removed"
    HELPFUL = "helpful"
    ACKNOWLEDGED = "acknowledged"
    QUESTION_ASKED = "question_asked"
    ANSWER_RECEIVED = "answer_received"
    NEWS_PULLED = "news_pulled"
    NEWS_SEARCHED = "news_searched"  # `news search <words>` (detail: the words, up to 100 characters)
    SUBSCRIBED = "subscribed"
    UNSUBSCRIBED = "unsubscribed"
    MUTED = "muted"
    SETTINGS_CHANGED = "settings_changed"
    JOINED = "joined"
    LINK_CLICKED = "link_clicked"  # a call to action clicked (detail `cta:<n>`; bot/services/cta.py)
    # "This answers it" on an offered answer (issue 18; detail: the answered question used).
    QUESTION_SELF_SERVED = "question_self_served"


# Proactive: the partner chose to act without being asked — pulling news, subscribing, asking, joining,
# tuning their settings. Unsubscribing and muting are proactive too: a deliberate choice about what
# they receive, which says as much about engagement as subscribing does (and is the early sign of a
# partner drifting away). Reactive: a response to something pushed at them — reactions, Helpful,
# Acknowledge, and receiving an answer (the vendor's move, counted for the partner who asked).
# A link click (a call to action) is reactive: it follows a pushed announcement.
PROACTIVE: frozenset[EngagementKind] = frozenset(
    {
        EngagementKind.NEWS_PULLED,
        EngagementKind.NEWS_SEARCHED,
        EngagementKind.SUBSCRIBED,
        EngagementKind.UNSUBSCRIBED,
        EngagementKind.MUTED,
        EngagementKind.QUESTION_ASKED,
        EngagementKind.QUESTION_SELF_SERVED,
        EngagementKind.SETTINGS_CHANGED,
        EngagementKind.JOINED,
    }
)


def is_proactive(kind: EngagementKind) -> bool:
    return kind in PROACTIVE


# What makes a delivered copy "engaged": something the partner did about that announcement there (the
# announcement funnel's last step, in its order; the Overview's and Topics' engaged copies).
ENGAGING_KINDS: tuple[EngagementKind, ...] = (
    EngagementKind.REACTION_ADDED,
    EngagementKind.HELPFUL,
    EngagementKind.QUESTION_ASKED,
    EngagementKind.ACKNOWLEDGED,
    EngagementKind.LINK_CLICKED,
)


def window_end(now: datetime) -> datetime:
    """Scores and gone-quiet lists count whole UTC days, today included: their windows end at the next
    midnight UTC (`now`'s day is counted as far as it has gone). Whole days let the store read its daily
    roll-ups instead of every event and delivery."""
    return datetime.combine(now.astimezone(UTC).date() + timedelta(days=1), time(), tzinfo=UTC)


# The score windows (days) the dashboard offers (its Partners and Overview pages): the `score-snapshots`
# job keeps a snapshot of each one's completed days, and of the gone-quiet windows' (bot/jobs.py).
SNAPSHOT_WINDOWS: tuple[int, ...] = (7, 30, 90)


def snapshot_pieces(
    start: date, until: date, cuts: Iterable[date], today: date
) -> tuple[tuple[date, date], ...]:
    """The completed days of the window [start, until) cut where it changes from one count to another
    (`cuts` inside it), as spans [first, end) that end by `today`: what a score snapshot holds. The
    window's days from `today` on are counted live."""
    inside = {c for c in cuts if start < c < until}
    days = sorted({min(b, today) for b in (start, until, *inside)})
    return tuple((first, end) for first, end in pairwise(days) if first < end)


def score_pieces(days: int, today: date) -> tuple[tuple[date, date], ...]:
    """`snapshot_pieces` of a score over the last `days` whole days, today's included."""
    until = today + timedelta(days=1)
    return snapshot_pieces(until - timedelta(days=days), until, (), today)


def quiet_pieces(window: timedelta, quiet_for: timedelta, today: date) -> tuple[tuple[date, date], ...]:
    """`snapshot_pieces` of the gone-quiet lists at a time on `today` (the window and the one before
    it, and the last `quiet_for`): the bounds `gone_quiet` counts between."""
    until = today + timedelta(days=1)
    return snapshot_pieces(until - 2 * window, until, (until - window, until - quiet_for), today)


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
class NewsSearch:
    """Who searched past news (recorded as a `news_searched` event with the search): the platform
    user id, when, and the words as typed."""

    user: str | None
    at: datetime
    words: str


# --- the engagement score and "gone quiet" (bot/services/engagement.py) ---


@dataclass(frozen=True, slots=True)
class ScoreFormula:
    """score = 100 * (proactive_weight * proactive + reactive_weight * reactive) / (received + smoothing),
    over one window; `smoothing` keeps a partner who received little from a score of 0 or 300."""

    proactive_weight: float
    reactive_weight: float
    smoothing: float


@dataclass(frozen=True, slots=True)
class ScoreFilter:
    """Which partners (their tier, region) and which announcements/events (a topic) a score counts."""

    tier: str | None = None
    region: str | None = None
    topic_id: int | None = None


@dataclass(frozen=True, slots=True)
class PartnerScore:
    """One partner's score over a window: the actions counted (removed reactions are not), the
    deliveries sent to its channels, and its last action within the window (None: none)."""

    partner_id: int
    name: str
    tier: str
    type: str
    region: str
    language: str
    score: float
    proactive: int
    reactive: int
    received: int
    last_action: datetime | None
    last_action_kind: EngagementKind | None = None  # what that last action was


class QuietReason(StrEnum):
    NO_ACTION = "no_action"  # still receiving, no action in the last N weeks
    SCORE_DROP = "score_drop"  # the score fell by more than X% against the previous window


@dataclass(frozen=True, slots=True)
class QuietPartner:
    partner_id: int
    name: str
    tier: str
    reason: QuietReason
    score: float
    previous_score: float
    last_action: datetime | None
    last_action_kind: EngagementKind | None = None  # what that last action was


@dataclass(frozen=True, slots=True)
class ScoreAverage:
    """The mean score of one tier or region (`EngagementOverview`)."""

    name: str
    partners: int
    score: float


@dataclass(frozen=True, slots=True)
class EngagementOverview:
    """`engagement [tier:…] [region:…] [topic:…]`: the best and the least engaged partners, the tier and
    region averages and the proactive/reactive totals over the window."""

    window_days: int
    tier: str | None
    region: str | None
    topic: str | None
    partners: int
    top: tuple[PartnerScore, ...]
    bottom: tuple[PartnerScore, ...]
    tiers: tuple[ScoreAverage, ...]
    regions: tuple[ScoreAverage, ...]
    proactive: int
    reactive: int


@dataclass(frozen=True, slots=True)
class QuietListing:
    """`quiet`: the partners who have gone quiet, and the thresholds that decided it."""

    weeks: int
    drop_percent: float
    window_days: int
    partners: tuple[QuietPartner, ...]


@dataclass(frozen=True, slots=True)
class UnknownScoreTopic:
    """`engagement topic:<slug>` names no topic."""

    slug: str


@dataclass(frozen=True, slots=True)
class UnknownScoreValue:
    """`engagement tier:…`/`region:…` with a value no partner can have; `message` says which are known."""

    message: str


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
    # Deliveries over their channel's weekly cap in the window (held for a digest: bot/caps.py).
    capped: int = 0

    @property
    def per_week(self) -> float:
        return self.received * 7 / self.days if self.days else 0.0


@dataclass(frozen=True, slots=True)
class RecentAction:
    """One of a partner's latest engagement events on its card: what, when, and the announcement
    (its title) or topic (its slug) it concerned, if any."""

    kind: EngagementKind
    at: datetime
    announcement: str | None = None
    topic: str | None = None


@dataclass(frozen=True, slots=True)
class PartnerEngagement:
    """`partner <name>`: the partner's score over the last window, its score over the window before
    (the trend), and its latest actions, newest first (removed reactions included: they happened)."""

    window_days: int
    score: float
    previous_score: float
    recent: tuple[RecentAction, ...]
