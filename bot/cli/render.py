"""Rich tables, JSON and CSV for `partnerbot stats` and the demo's closing summary."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any, TextIO

from rich import box
from rich.cells import cell_len
from rich.console import RenderableType
from rich.table import Column, Table
from rich.text import Text

from bot import messages as m
from bot.domain import AnnouncementStats, TopicStats
from bot.safety import spreadsheet_safe


class PlainTable(Table):
    """A table whose text cells are shown as written: Rich would read a string cell as console
    markup, so a topic titled "[beta] Features" lost its "[beta]" and one with "[/]" in it stopped
    `topics list` with a MarkupError. Names, titles and descriptions are people's text, never markup."""

    def add_row(self, *renderables: RenderableType | None, **options: Any) -> None:
        cells = [Text(cell) if isinstance(cell, str) else cell for cell in renderables]
        super().add_row(*cells, **options)


def fitting_table(*headers: str, title: str | None = None) -> Table:
    """A table that fits the terminal (80 columns too) by wrapping cells at spaces and folding long
    words, never by cutting a header or a cell to "tit…": no column is narrower than its header."""
    # No side borders and one space of padding: a 7-column table keeps ~20 more characters for its
    # cells at 80 columns than Rich's default box does.
    table = PlainTable(
        title=None if title is None else Text(title),
        box=box.SIMPLE_HEAD,
        show_edge=False,
        padding=(0, 1, 0, 0),
    )
    for header in headers:
        table.add_column(header, overflow="fold", min_width=len(header))
    return table


def keep_whole(table: Table, width: int, *headers: str) -> Table:
    """Size the columns to fit `width`, keeping the cells of the `headers` columns (slugs, tiers,
    types: words people copy or scan) on one line whenever the table can still fit that way (the
    first header first, then each next one while it still fits); the
    other columns share what is left in proportion to their content, each at least as wide as its
    header. (Rich's own shrinking may re-widen a column past the edge, which the terminal then
    cuts; fixed widths avoid that.)"""
    columns = table.columns
    overhead = 2 * len(columns)  # each column: its right padding and the separator after it
    natural = [_natural(column) for column in columns]
    if sum(natural) + overhead <= width:
        return table
    floor = [column.min_width or 1 for column in columns]
    if sum(floor) + overhead > width:
        return table  # narrower than the headers: let Rich do what it can
    kept = floor
    for header in headers:  # in the order given: the first ones matter most
        wider = [
            max(k, n) if column.header == header else k
            for k, n, column in zip(kept, natural, columns, strict=True)
        ]
        if sum(wider) + overhead <= width:
            kept = wider
    spare = width - overhead - sum(kept)
    want = [max(0, n - k) for n, k in zip(natural, kept, strict=True)]
    total = sum(want) or 1
    widths = [k + spare * w // total for k, w in zip(kept, want, strict=True)]
    for column, size in zip(columns, widths, strict=True):
        column.width = size
    return table


def _natural(column: Column) -> int:
    lines = [str(column.header), *(line for cell in column.cells for line in str(cell).splitlines())]
    return max(cell_len(line) for line in lines)


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))) or "—"


def detail_table(s: AnnouncementStats) -> Table:
    """One announcement, one metric a row: readable in an 80-column terminal."""
    table = fitting_table(
        "metric", "value", title=f"#{s.announcement_id} {s.title} — {m.STATUS_NAMES[s.status.value]}"
    )
    for metric, value in (
        ("targeted", s.targeted),
        ("delivered", s.delivered),
        ("failed", s.failed),
        ("pending", s.pending),
        ("in digest", s.in_digest),
        ("over a weekly cap", s.capped),
        ("reactions", _counts(s.reactions)),
        ("questions asked / answered", f"{s.questions_asked} / {s.questions_answered}"),
        ("partner actions proactive / reactive", f"{s.proactive} / {s.reactive}"),
        ("reach by tier", _counts(s.reach_by_tier)),
        ("reach by region", _counts(s.reach_by_region)),
        ("failures", _counts(s.failures_by_reason)),
    ):
        table.add_row(metric, str(value))
    for cta in s.ctas:  # each call to action: clicks in all, then by tier and region
        by = f"\ntier: {_counts(cta.by_tier)}\nregion: {_counts(cta.by_region)}" if cta.clicks else ""
        table.add_row(f"clicks: {cta.label}", f"{m.CLICKS(cta.clicks)}{by}")
    return table


def stats_tables(found: Sequence[AnnouncementStats], topics: Sequence[TopicStats]) -> list[Table]:
    if len(found) == 1:
        return [detail_table(found[0]), _topics_table(topics), _topic_actions_table(topics)]
    # One column per figure would need about 150 columns; grouped, each cell wraps within 80.
    per = fitting_table("#", "announcement", "delivered", "feedback", "reach", title="Announcements")
    for s in found:
        delivery = [f"{s.delivered} of {s.targeted}"]
        delivery += [f"{label} {n}" for label, n in (("failed", s.failed), ("pending", s.pending)) if n]
        per.add_row(
            str(s.announcement_id),
            f"{s.title}\n({m.STATUS_NAMES[s.status.value]})",
            "\n".join(delivery),
            f"reactions: {_counts(s.reactions)}\n"
            f"questions: {s.questions_asked} ({s.questions_answered} answered, "
            f"{s.questions_self_served} self-served)\n"
            f"actions: {s.proactive} proactive, {s.reactive} reactive",
            f"tier: {_counts(s.reach_by_tier)}\nregion: {_counts(s.reach_by_region)}",
        )
    return [per, _topics_table(topics), _topic_actions_table(topics)]


def _topics_table(topics: Sequence[TopicStats]) -> Table:
    by_topic = fitting_table("topic", "announcements", "delivered", "reactions", "questions", title="Topics")
    for t in topics:
        by_topic.add_row(t.slug, str(t.announcements), str(t.delivered), str(t.reactions), str(t.questions))
    return by_topic


def _topic_actions_table(topics: Sequence[TopicStats]) -> Table:
    """Engagement events per topic, in a table of their own: two more columns on the topics table
    would fold its slugs at 80 columns."""
    actions = fitting_table(
        "topic", "proactive actions", "reactive actions", title="Partner actions by topic"
    )
    for t in topics:
        actions.add_row(t.slug, str(t.proactive), str(t.reactive))
    return actions


def stats_json(found: Sequence[AnnouncementStats], topics: Sequence[TopicStats]) -> dict[str, object]:
    return {
        "announcements": [{**asdict(one), "status": one.status.value} for one in found],
        "topics": [asdict(t) for t in topics],
    }


# One row per announcement, one column per figure: what partner teams paste into a spreadsheet. The
# per-emoji, per-tier, per-region and per-reason breakdowns are `key=count` pairs joined by "; ", most
# frequent first, so a row stays one row whatever the data holds.
STATS_CSV_COLUMNS = (
    "id",
    "title",
    "status",
    "targeted",
    "delivered",
    "failed",
    "pending",
    "in_digest",
    "reactions",
    "reactions_by_emoji",
    "questions_asked",
    "questions_answered",
    "reach_by_tier",
    "reach_by_region",
    "failures_by_reason",
    "proactive",
    "reactive",
    "clicks_by_cta",  # `<label>=<clicks>` per call to action, in their order
    "capped",  # copies over their channel's weekly cap, held for a digest (bot/caps.py)
    "questions_self_served",  # closed by an answer that already existed ("This answers it", issue 18)
    "questions_relayed",  # went to the team (no match, "Ask the team anyway", or the offer's wait ran out)
)


def _pairs(counts: Mapping[str, int]) -> str:
    return "; ".join(f"{k}={v}" for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def write_stats_csv(found: Sequence[AnnouncementStats], stream: TextIO) -> None:
    """The per-announcement stats as CSV (a header, then one row each) through the csv module; text
    a spreadsheet would run as a formula starts with an apostrophe (`bot.safety.spreadsheet_safe`)."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(STATS_CSV_COLUMNS)
    for s in found:
        writer.writerow(
            spreadsheet_safe(cell)
            for cell in (
                s.announcement_id,
                s.title,
                s.status.value,
                s.targeted,
                s.delivered,
                s.failed,
                s.pending,
                s.in_digest,
                sum(s.reactions.values()),
                _pairs(s.reactions),
                s.questions_asked,
                s.questions_answered,
                _pairs(s.reach_by_tier),
                _pairs(s.reach_by_region),
                _pairs(s.failures_by_reason),
                s.proactive,
                s.reactive,
                "; ".join(f"{cta.label}={cta.clicks}" for cta in s.ctas),
                s.capped,
                s.questions_self_served,
                s.questions_relayed,
            )
        )
