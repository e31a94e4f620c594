"""Small helpers shared by the integration conversation tests: reading rows back, counting posts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

import pytest
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from adapters.local.sender import Fault, LocalSender
from adapters.local.workspace import BOT, Message
from bot.domain import ChannelRef, Invocation, MessageRef, Outgoing, Platform, Reply, UserRef
from bot.ports import RateKey
from storage.repositories import rollups
from storage.tables import AnnouncementRow, ChannelRow, DeliveryRow, TopicRow
from tests.harness import ADMIN_CHANNEL, Harness

_M = TypeVar("_M", bound=SQLModel)

# Mention forms from Slack and Discord that would notify people if they reached a channel verbatim.
PINGS = (
    "@everyone",
    "@here",
    "@channel",
    "<!channel>",
    "<!here>",
    "<@U123>",
    "<!subteam^S1|@team>",
    "<@&42>",
)
PING_TEXT = "Hey @everyone and @here, <!channel> <!here> <@U123> <!subteam^S1|@team> <@&42>: when?"


async def rows(h: Harness, model: type[_M], **where: Any) -> list[_M]:
    """Every row of `model` matching the equality filters, by id."""
    async with AsyncSession(h.app.engine) as session:
        query = select(model)
        for name, value in where.items():
            query = query.where(col(getattr(model, name)) == value)
        pk = getattr(model, "id", None)
        if pk is not None:
            query = query.order_by(col(pk))
        return list(await session.exec(query))


async def deliveries(h: Harness, announcement_id: int | None = None) -> list[DeliveryRow]:
    if announcement_id is None:
        return await rows(h, DeliveryRow)
    return await rows(h, DeliveryRow, announcement_id=announcement_id)


async def announcement(h: Harness, announcement_id: int) -> AnnouncementRow:
    (row,) = await rows(h, AnnouncementRow, id=announcement_id)
    return row


async def channel_row(h: Harness, channel: str) -> ChannelRow:
    (row,) = await rows(h, ChannelRow, channel_id=channel)
    return row


def post_counts(h: Harness, *channels: str) -> dict[str, int]:
    return {channel: len(h.posts(channel)) for channel in channels}


def assert_exactly_once(h: Harness, *channels: str) -> None:
    """Each channel received exactly one bot post, and no idempotency key was posted twice."""
    assert post_counts(h, *channels) == dict.fromkeys(channels, 1)
    keys = Counter(m.key for m in h.workspace.messages if m.author == BOT and m.key)
    assert [key for key, n in keys.items() if n > 1] == []


# The live progress message of a broadcast opens with one of these (bot/messages.py PROGRESS_*).
PROGRESS_MARKS = ("📣 **#", "✅ **#", "↩️ **#")


def admin_posts(h: Harness) -> list[Message]:
    """The bot's posts in the admin channel, except broadcasts' live progress messages."""
    return [m for m in h.posts(ADMIN_CHANNEL) if not m.text.startswith(PROGRESS_MARKS)]


def progress_posts(h: Harness) -> list[Message]:
    return [m for m in h.posts(ADMIN_CHANNEL) if m.text.startswith(PROGRESS_MARKS)]


def replies_in_thread(h: Harness, channel: str, thread: str) -> list[Message]:
    return [m for m in h.posts(channel) if m.thread == thread]


def assert_no_ping(text: str) -> None:
    for ping in PINGS:
        assert ping not in text, f"{ping!r} survived in {text!r}"


def id_from(reply: Reply, marker: str = "#") -> int:
    """The first number after `marker` in a reply ("announcement #3", "question (#4)")."""
    after = reply.text.split(marker, 1)[1]
    digits = ""
    for char in after:
        if not char.isdigit():
            break
        digits += char
    return int(digits)


async def rebuild_rollups(h: Harness) -> None:
    """After a fixture wrote events or sent deliveries as rows (not through the repositories, which
    keep the daily roll-ups), recompute the roll-ups as a bulk load would."""
    async with h.app.engine.begin() as conn:
        await rollups.rebuild(conn)


async def add_sent_announcements(
    session: AsyncSession, now: datetime, slugs: Sequence[str], count: int, *, days_ago: int
) -> None:
    """Topics 1…len(slugs) and announcements 1…count, all sent `days_ago` days before `now`, straight
    into the tables (flushed): the seed of the roll-up tests' randomised worlds."""
    for number, slug in enumerate(slugs, start=1):
        session.add(TopicRow(id=number, slug=slug, title=slug.title(), description="", created_at=now))
    sent = now - timedelta(days=days_ago)
    for number in range(1, count + 1):
        session.add(
            AnnouncementRow(
                id=number, title=f"A{number}", body="b", status="sent", author_platform="local",
                author_workspace="W", author_user="alice", origin_channel="admin",
                created_at=sent, sent_at=sent,
            )
        )  # fmt: skip
    await session.flush()


async def setup_topics(h: Harness, *slugs: str) -> None:
    for slug in slugs:
        reply = await h.admin(f'topic add {slug} "{slug.title()} news"')
        assert not reply.is_error, reply.text


async def broadcast_and_send(h: Harness, options: str, body: str = "Body text.") -> int:
    """Create a draft, send it and return its id (deliveries are queued, not yet drained)."""
    preview = await h.admin(f"broadcast {options} {body}")
    assert not preview.is_error, preview.text
    announcement_id = id_from(preview)
    sent = await h.admin(f"send {announcement_id}")
    assert not sent.is_error, sent.text
    return announcement_id


def slack_invocation(channel: str, user: str = "U777", workspace: str = "T1") -> Invocation:
    """An invocation as the Slack adapter will build it (no Slack adapter runs in these tests)."""
    return Invocation(
        channel=ChannelRef(Platform.SLACK, workspace, channel),
        user=UserRef(Platform.SLACK, workspace, user, display_name=user),
        channel_name=channel,
        thread=None,
    )


class SenderProxy:
    """A Sender that hands everything to the local sender; tests override `post` to meddle."""

    platform = Platform.LOCAL

    def __init__(self, inner: LocalSender) -> None:
        self.inner = inner

    async def post(self, out: Outgoing, *, idempotency_key: str) -> MessageRef:
        return await self.inner.post(out, idempotency_key=idempotency_key)

    async def find_posted(self, out: Outgoing, *, idempotency_key: str) -> MessageRef | None:
        return await self.inner.find_posted(out, idempotency_key=idempotency_key)

    async def edit(self, ref: MessageRef, out: Outgoing) -> None:
        await self.inner.edit(ref, out)

    async def delete(self, ref: MessageRef, *, out: Outgoing | None = None) -> None:
        await self.inner.delete(ref, out=out)

    def rate_keys(self, channel: ChannelRef) -> list[RateKey]:
        return self.inner.rate_keys(channel)


class ChannelFaults(SenderProxy):
    """Makes a fault hit a chosen channel, whatever order the worker posts in.

    Each listed channel's next post gets its fault once, through the local sender's own `fail_next`.
    """

    def __init__(self, inner: LocalSender, faults: dict[str, Fault]) -> None:
        super().__init__(inner)
        self.faults = dict(faults)

    async def post(self, out: Outgoing, *, idempotency_key: str) -> MessageRef:
        fault = self.faults.pop(out.channel.channel, None)
        if fault is not None:
            self.inner.fail_next(fault)
        return await self.inner.post(out, idempotency_key=idempotency_key)


def fail_channels(h: Harness, faults: dict[str, Fault]) -> ChannelFaults:
    wrapper = ChannelFaults(h.local.sender, faults)
    h.app.worker.add_sender(Platform.LOCAL, wrapper)
    return wrapper


def on_postgres(request: pytest.FixtureRequest) -> bool:
    callspec = getattr(request.node, "callspec", None)
    return callspec is not None and callspec.params.get("database_url") == "postgres"


def xfail_on_postgres(request: pytest.FixtureRequest, reason: str) -> None:
    """Mark only the PostgreSQL leg of a `harness` test as a known (strict) failure."""
    request.applymarker(pytest.mark.xfail(on_postgres(request), reason=reason, strict=True))
