"""The engagement score per partner and the partners who have gone quiet (issue 14).

score = 100 * (proactive weight * proactive actions + reactive weight * reactive actions)
        / (announcements received + smoothing), over the last `engagement_window_days` (whole UTC days,
        today included).
Proactive actions (pulling news, subscribing, asking…) weigh more than reactions to what was pushed;
dividing by what the partner received (plus a smoothing constant) keeps partners who receive little
from being punished or flattered. No time decay: every action in the window counts the same.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.engagement import (
    EngagementOverview,
    PartnerScore,
    QuietListing,
    QuietPartner,
    ScoreAverage,
    ScoreFilter,
    ScoreFormula,
    UnknownScoreTopic,
    UnknownScoreValue,
    window_end,
)
from bot.ports.clock import Clock
from bot.ports.directory import DirectoryStore
from bot.ports.engagement import EngagementStore
from bot.ports.topics import TopicStore
from bot.settings import CoreSettings
from bot.vocabulary import UnknownValue
from bot.vocabulary import load as load_vocabulary

SHOWN = 5  # partners listed at the top and at the bottom


@dataclass(frozen=True, slots=True)
class EngagementPorts:
    engagement: EngagementStore
    topics: TopicStore
    directory: DirectoryStore  # the known tiers and regions


class EngagementService:
    def __init__(self, ports: EngagementPorts, clock: Clock, settings: CoreSettings) -> None:
        self._ports = ports
        self._clock = clock
        self._settings = settings

    @property
    def formula(self) -> ScoreFormula:
        return formula_of(self._settings)

    def scores(self, only: ScoreFilter | None = None) -> AsyncIterator[PartnerScore]:
        """Every partner's score over the window, best first, streamed (the CLI export)."""
        until = window_end(self._clock.now())
        since = until - timedelta(days=self._settings.engagement_window_days)
        return self._ports.engagement.scores(since=since, until=until, formula=self.formula, only=only)

    async def overview(
        self, *, tier: str | None = None, region: str | None = None, topic: str | None = None
    ) -> EngagementOverview | UnknownScoreTopic | UnknownScoreValue:
        """`engagement [tier:…] [region:…] [topic:…]`; a tier or region no partner can have is refused
        (with the known ones) rather than answered with an empty list."""
        if tier is not None or region is not None:
            vocabulary = await load_vocabulary(self._ports.directory, self._settings)
            try:
                tier = vocabulary.check("tier", tier) if tier is not None else None
                region = vocabulary.check("region", region) if region is not None else None
            except UnknownValue as unknown:
                return UnknownScoreValue(unknown.message)
        topic_id = None
        if topic is not None:
            found = await self._ports.topics.by_slugs([topic])
            if not found:
                return UnknownScoreTopic(topic)
            topic_id = found[0].id
        ranked = [score async for score in self.scores(ScoreFilter(tier, region, topic_id))]
        bottom = ranked[max(SHOWN, len(ranked) - SHOWN) :]
        return EngagementOverview(
            window_days=self._settings.engagement_window_days,
            tier=tier,
            region=region,
            topic=topic,
            partners=len(ranked),
            top=tuple(ranked[:SHOWN]),
            bottom=tuple(reversed(bottom)),
            tiers=_averages((s.tier, s.score) for s in ranked),
            regions=_averages((s.region, s.score) for s in ranked),
            proactive=sum(s.proactive for s in ranked),
            reactive=sum(s.reactive for s in ranked),
        )

    async def quiet(self) -> QuietListing:
        """`quiet`: the partners who have gone quiet."""
        s = self._settings
        partners = await gone_quiet(self._ports.engagement, s, now=self._clock.now())
        return QuietListing(s.quiet_weeks, s.quiet_drop_percent, s.engagement_window_days, tuple(partners))


async def gone_quiet(store: EngagementStore, settings: CoreSettings, *, now: datetime) -> list[QuietPartner]:
    """The partners gone quiet at `now` under the settings' thresholds (`quiet`, the weekly report)."""
    return await store.gone_quiet(
        now=now,
        window=timedelta(days=settings.engagement_window_days),
        quiet_for=timedelta(weeks=settings.quiet_weeks),
        drop_percent=settings.quiet_drop_percent,
        formula=formula_of(settings),
    )


def formula_of(settings: CoreSettings) -> ScoreFormula:
    """The score's weights from the settings (also the partner card's, bot/services/partner_admin.py)."""
    s = settings
    return ScoreFormula(s.engagement_proactive_weight, s.engagement_reactive_weight, s.engagement_smoothing)


def _averages(pairs: Iterable[tuple[str, float]]) -> tuple[ScoreAverage, ...]:
    groups: dict[str, list[float]] = defaultdict(list)
    for name, score in pairs:
        groups[name].append(score)
    averages = (
        ScoreAverage(name, len(scores), round(sum(scores) / len(scores), 1))
        for name, scores in groups.items()
    )
    return tuple(sorted(averages, key=lambda a: (-a.score, a.name)))
