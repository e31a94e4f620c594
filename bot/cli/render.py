"""Rich tables and JSON for `partnerbot stats` and the demo's closing summary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict

from rich.table import Table

from bot.domain import AnnouncementStats, TopicStats


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))) or "—"


def detail_table(s: AnnouncementStats) -> Table:
    """One announcement, one metric a row: readable in an 80-column terminal."""
    table = Table("metric", "value", title=f"#{s.announcement_id} {s.title} — {s.status.value}")
    for metric, value in (
        ("targeted", s.targeted),
        ("delivered", s.delivered),
        ("failed", s.failed),
        ("pending", s.pending),
        ("in digest", s.in_digest),
        ("reactions", _counts(s.reactions)),
        ("questions asked / answered", f"{s.questions_asked} / {s.questions_answered}"),
        ("reach by tier", _counts(s.reach_by_tier)),
        ("reach by region", _counts(s.reach_by_region)),
        ("failures", _counts(s.failures_by_reason)),
    ):
        table.add_row(metric, str(value))
    return table


def stats_tables(found: Sequence[AnnouncementStats], topics: Sequence[TopicStats]) -> list[Table]:
    if len(found) == 1:
        return [detail_table(found[0]), _topics_table(topics)]
    per = Table(
        "#",
        "title",
        "status",
        "targeted",
        "delivered",
        "failed",
        "pending",
        "reactions",
        "questions (answered)",
        "reach by tier",
        "reach by region",
        title="Announcements",
    )
    for s in found:
        per.add_row(
            str(s.announcement_id),
            s.title,
            s.status.value,
            str(s.targeted),
            str(s.delivered),
            str(s.failed),
            str(s.pending),
            _counts(s.reactions),
            f"{s.questions_asked} ({s.questions_answered})",
            _counts(s.reach_by_tier),
            _counts(s.reach_by_region),
        )
    return [per, _topics_table(topics)]


def _topics_table(topics: Sequence[TopicStats]) -> Table:
    by_topic = Table("topic", "announcements", "delivered", "reactions", "questions", title="Topics")
    for t in topics:
        by_topic.add_row(t.slug, str(t.announcements), str(t.delivered), str(t.reactions), str(t.questions))
    return by_topic


def stats_json(found: Sequence[AnnouncementStats], topics: Sequence[TopicStats]) -> dict[str, object]:
    return {
        "announcements": [{**asdict(s), "status": s.status.value} for s in found],
        "topics": [asdict(t) for t in topics],
    }
