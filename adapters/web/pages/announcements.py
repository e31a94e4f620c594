"""The Announcements pages: the list (filterable, keyset-paged, in CSV) and each announcement's story
(funnel, reach by segment, deliveries over time, per-channel activity, revisions), with a live
progress block while it is being sent."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from markupsafe import Markup

from adapters.web import charts
from adapters.web.deps import deps
from adapters.web.export import csv_response
from adapters.web.render import page
from bot.domain.announcements import AnnouncementStatus
from bot.domain.engagement import EngagementKind
from bot.domain.refs import Platform
from bot.i18n import Plural
from bot.ports.announcement_story import AnnouncementQuery, ChannelActivity, SegmentReach, Story
from bot.presenter.approvals import history_entries

PAGE_SIZE = 50
CHANNELS_PAGE_SIZE = 50
DAYS = (7, 30, 90, 365)
MAX_DAYS = 36_500
STATUSES = tuple(status.value for status in AnnouncementStatus)
LIST_HEADER = ("id", "title", "status", "topics", "audience", "created_at", "sent_at", "targeted",
               "delivered", "engaged", "engagement_rate")  # fmt: skip
CHANNELS_HEADER = ("delivery_id", "partner", "channel", "platform", "workspace", "channel_id", "status",
                   "delivered_at", "message_link", "failure_reason", "reactions", "questions")  # fmt: skip
KIND_LABELS = {
    EngagementKind.REACTION_ADDED: "Reacted",
    EngagementKind.HELPFUL: "Helpful",
    EngagementKind.QUESTION_ASKED: "Asked",
    EngagementKind.ACKNOWLEDGED: "Acknowledged",
    EngagementKind.LINK_CLICKED: "Clicked",
}
ANNOUNCEMENTS = Plural("{n} announcement", "{n} announcements")
CHANNELS = Plural("{n} channel", "{n} channels")
COPIES = Plural("{n} copy", "{n} copies")
PEOPLE = Plural("{n} person", "{n} people")


class BadFilter(ValueError):
    """A filter value the page cannot use: said back to the admin with what to write instead."""


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/announcements", show_list, name="announcements")
    router.add_get("/announcements.csv", export_list, name="announcements-csv")
    router.add_get("/announcements/{id}", show, name="announcement")
    router.add_get("/announcements/{id}/progress", progress, name="announcement-progress")
    router.add_get("/announcements/{id}/channels.csv", export_channels, name="announcement-channels-csv")


def query_of(request: web.Request) -> AnnouncementQuery:
    """The filters from the address (a filtered page is a link another admin can open)."""
    status, days, before = (request.query.get(key, "").strip() for key in ("status", "days", "before"))
    if status and status not in STATUSES:
        raise BadFilter(f"“{status}” is not a status. Pick one of: {', '.join(STATUSES)}.")
    if days and not (days.isdigit() and 0 < int(days) <= MAX_DAYS):
        raise BadFilter(
            f"“{days}” is not a number of days. Use a whole number from 1 to {MAX_DAYS}, such as 30."
        )
    return AnnouncementQuery(
        status=AnnouncementStatus(status) if status else None,
        topic=request.query.get("topic", "").strip().lower() or None,
        days=int(days) if days else None,
        before=_row_id(before),
        limit=PAGE_SIZE,
    )


def _filters(query: AnnouncementQuery) -> dict[str, Any]:
    return {
        "status": query.status.value if query.status else None,
        "topic": query.topic,
        "days": query.days,
    }


def _bad_filter(request: web.Request, error: BadFilter) -> web.Response:
    return page(request, "message.html", status=400, title="This filter does not work", message=str(error))


async def show_list(request: web.Request) -> web.StreamResponse:
    try:
        query = query_of(request)
    except BadFilter as error:
        return _bad_filter(request, error)
    d = deps(request)
    lines = await d.views.announcements.page(query, now=d.clock.now())
    older = lines[-1].id if len(lines) == PAGE_SIZE else None
    return page(
        request,
        "announcements.html",
        title="Announcements",
        lines=lines,
        older=older,
        filters=_filters(query),
        statuses=STATUSES,
        day_choices=DAYS,
        shown=ANNOUNCEMENTS(len(lines)),
        paged=query.before is not None,
    )


async def export_list(request: web.Request) -> web.StreamResponse:
    try:
        query = query_of(request)
    except BadFilter as error:
        return _bad_filter(request, error)
    d = deps(request)

    async def rows() -> AsyncIterator[Sequence[Any]]:
        async for a in d.views.announcements.export(query, now=d.clock.now()):
            rate = a.engagement
            yield (
                a.id, a.title, a.status.value, " ".join(a.topics), a.audience.describe(),
                a.created_at.isoformat(), a.sent_at.isoformat() if a.sent_at else None,
                a.targeted, a.delivered, a.engaged, f"{rate:.4f}" if rate is not None else None,
            )  # fmt: skip

    return await csv_response(request, "partnerbot-announcements.csv", LIST_HEADER, rows())


def _row_id(raw: str) -> int | None:
    """A row id from the address; None unless it is one (digits that fit a BIGINT)."""
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


def _id(request: web.Request) -> int | None:
    return _row_id(request.match_info["id"])


def _not_found(request: web.Request) -> web.Response:
    return page(
        request,
        "message.html",
        status=404,
        title="No such announcement",
        message=f"There is no announcement `{request.match_info['id']}`. "
        "The Announcements page lists every one there is.",
    )


async def show(request: web.Request) -> web.StreamResponse:
    announcement_id = _id(request)
    d = deps(request)
    story = await d.views.announcements.story(announcement_id) if announcement_id is not None else None
    if story is None or announcement_id is None:
        return _not_found(request)
    after = _row_id(request.query.get("after", ""))
    channels = await d.views.announcements.channels(announcement_id, after=after, limit=CHANNELS_PAGE_SIZE)
    current = await d.views.announcements.progress(announcement_id, now=d.clock.now())
    return page(
        request,
        "announcement.html",
        title=story.line.title,
        story=story,
        progress=current,
        live=current.in_flight,
        channels=channels,
        next_after=channels[-1].delivery_id if len(channels) == CHANNELS_PAGE_SIZE else None,
        paged=after is not None,
        charts=_charts(story),
        approvals=history_entries(story.approvals, story.revision),
        kind_labels=KIND_LABELS,
        message_link=message_link,
        plural={"channels": CHANNELS, "copies": COPIES, "people": PEOPLE},
    )


async def progress(request: web.Request) -> web.StreamResponse:
    """The live block: replaced every few seconds by static/dashboard.js until "X-Refresh: stop"."""
    announcement_id = _id(request)
    d = deps(request)
    if announcement_id is None or not await d.views.announcements.exists(announcement_id):
        return _not_found(request)
    current = await d.views.announcements.progress(announcement_id, now=d.clock.now())
    response = page(request, "announcement_progress.html", progress=current, live=current.in_flight)
    if not current.in_flight:
        response.headers["X-Refresh"] = "stop"
    return response


async def export_channels(request: web.Request) -> web.StreamResponse:
    announcement_id = _id(request)
    d = deps(request)
    if announcement_id is None or not await d.views.announcements.exists(announcement_id):
        return _not_found(request)

    async def rows() -> AsyncIterator[Sequence[Any]]:
        async for c in d.views.announcements.export_channels(announcement_id):
            reactions = " ".join(f"{emoji}:{count}" for emoji, count in c.reactions)
            questions = " | ".join(
                f"{q.asker}: {q.text}" + "".join(f" → {a.by}: {a.text}" for a in q.answers)
                for q in c.questions
            )
            delivered = c.sent_at.isoformat() if c.sent_at else None
            yield (
                c.delivery_id, c.partner, c.channel_name, c.platform.value, c.workspace, c.channel, c.status,
                delivered, message_link(c), c.failure, reactions, questions,
            )  # fmt: skip

    filename = f"partnerbot-announcement-{announcement_id}-channels.csv"
    return await csv_response(request, filename, CHANNELS_HEADER, rows())


def message_link(activity: ChannelActivity) -> str | None:
    """Where the delivered copy can be opened, where the platform allows a link; else None.

    Discord: https://discord.com/channels/<guild>/<channel>/<message> opens the message itself.
    Slack: a message permalink needs the workspace's domain, which partnerbot does not store
    (https://api.slack.com/methods/chat.getPermalink), so the link opens the channel in the Slack
    app (https://api.slack.com/reference/deep-linking#open_a_channel).
    """
    if activity.message_id is None or not activity.workspace:
        return None
    if activity.platform is Platform.DISCORD:
        return f"https://discord.com/channels/{activity.workspace}/{activity.channel}/{activity.message_id}"
    if activity.platform is Platform.SLACK:
        return "slack://channel?" + urlencode({"team": activity.workspace, "id": activity.channel})
    return None


def _charts(story: Story) -> dict[str, Markup]:
    funnel = story.funnel
    steps = [("Targeted", funnel.targeted), ("Delivered", funnel.delivered), ("Engaged", funnel.engaged)]
    steps += [(KIND_LABELS[kind], count) for kind, count in funnel.by_kind]
    drawn = {"funnel": charts.horizontal_bars("From targeted to engaged (channels)", steps)}
    for name, title, segments in (
        ("tier", "Reach and engagement by tier", story.by_tier),
        ("region", "Reach and engagement by region", story.by_region),
        ("language", "Reach and engagement by language", story.by_language),
    ):
        if segments:
            drawn[name] = charts.bars(title, [s.value for s in segments], _segment_series(segments))
    if story.delivered_over_time:
        first, last = story.delivered_over_time[0][0], story.delivered_over_time[-1][0]
        pattern = "%H:%M" if (last - first).days < 1 else "%Y-%m-%d %H:%M"
        drawn["timeline"] = charts.line(
            "Delivered over time (UTC)",
            [at.strftime(pattern) for at, _ in story.delivered_over_time],
            {"Delivered": [count for _, count in story.delivered_over_time]},
        )
    return drawn


def _segment_series(segments: Sequence[SegmentReach]) -> dict[str, list[float | None]]:
    return {
        "Targeted": [s.targeted for s in segments],
        "Delivered": [s.delivered for s in segments],
        "Engaged": [s.engaged for s in segments],
    }
