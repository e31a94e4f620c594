"""Values and pure period arithmetic for the bot's own periodic work: job periods, notices, reports.

A periodic job run covers one *period*, named by a key that is unique per job (`2026-W48` for a
weekly report, `2026-11-24T09:05Z` for a five-minute tick). Runs claim their period in the database,
so several processes run each period once. No clock and no storage here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.directory import DeliveryMode
from bot.domain.refs import ChannelRef
from bot.timezones import DigestTime, last_digest, local_wall

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Period:
    """One run's slice of time: `key` names it (unique per job), `[start, end)` is what it covers."""

    key: str
    start: datetime
    end: datetime


def tick_period(now: datetime, every: timedelta) -> Period:
    """The slot of length `every` (counted from the Unix epoch, in UTC) that `now` falls in."""
    start = _EPOCH + ((now - _EPOCH) // every) * every
    return Period(f"{start:%Y-%m-%dT%H:%MZ}", start, start + every)


def week_key(start: datetime, tz: ZoneInfo) -> str:
    """The ISO week (in `tz`) a report window starts in, e.g. `2026-W48`; keys sort in time order."""
    year, week, _ = local_wall(start, tz).date().isocalendar()
    return f"{year}-W{week:02d}"


def report_weeks(
    now: datetime, when: DigestTime, tz: ZoneInfo, *, after: str | None, limit: int
) -> list[Period]:
    """The report windows due at `now`, oldest first. Each ends at a report moment (`when`, local to
    `tz`) at or before `now` and starts at the moment before (DST-safe: a week may be 167 or 169 h).

    Only windows whose key sorts after `after` (the last week already reported) and at most the
    `limit` most recent; with `after` None (never reported) only the latest one.
    """
    found: list[Period] = []
    end, _ = last_digest(now, DeliveryMode.WEEKLY, when, tz)
    while len(found) < limit:
        start, _ = last_digest(end - timedelta(seconds=1), DeliveryMode.WEEKLY, when, tz)
        key = week_key(start, tz)
        if after is not None and key <= after:
            break
        found.append(Period(key, start, end))
        if after is None:
            break
        end = start
    return found[::-1]


@dataclass(frozen=True, slots=True)
class JobRun:
    """One claimed period of a periodic job, as recorded in the database."""

    job: str
    period: str
    status: str  # running | done | failed
    worker: str
    started_at: datetime
    finished_at: datetime | None
    detail: str


@dataclass(frozen=True, slots=True)
class NoticeDraft:
    """A message the bot itself originates, queued once under its unique `key`
    (e.g. `report:2026-W48:slack:C0ADMIN`). `text` is final: already neutralised for mentions."""

    key: str
    channel: ChannelRef
    text: str
    thread: str | None = None
    # A test copy of this announcement (`test <id>`): rendered from it like a delivery, `text` above it.
    announcement_id: int | None = None


@dataclass(frozen=True, slots=True)
class EngagementLine:
    """Engagement of one topic or tier over a report window."""

    name: str  # a topic slug ("" for direct questions) or a tier ("unlinked" without a partner)
    delivered: int = 0
    reactions: int = 0
    questions: int = 0
    unanswered: int = 0  # still open at the window's end, asked more than a day before it


@dataclass(frozen=True, slots=True)
class Engagement:
    """A report window's engagement per topic and per tier.

    Every delivery, reaction and question belongs to exactly one channel, hence one tier, so the
    tiers add up to the totals; an announcement on two topics counts under both topics.
    """

    by_topic: tuple[EngagementLine, ...]
    by_tier: tuple[EngagementLine, ...]

    def totals(self) -> EngagementLine:
        return EngagementLine(
            name="",
            delivered=sum(line.delivered for line in self.by_tier),
            reactions=sum(line.reactions for line in self.by_tier),
            questions=sum(line.questions for line in self.by_tier),
            unanswered=sum(line.unanswered for line in self.by_tier),
        )

    def is_empty(self) -> bool:
        total = self.totals()
        return not (total.delivered or total.reactions or total.questions or total.unanswered)
