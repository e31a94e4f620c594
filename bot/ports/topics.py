"""Topics and the channels' subscriptions to them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Protocol

from bot.domain.directory import Channel
from bot.domain.engagement import SendingLoad
from bot.domain.refs import ChannelRef
from bot.domain.topics import Topic


class TopicAlreadyExists(Exception):
    """A topic with that slug exists (raised by `TopicStore.add`)."""


class TopicStore(Protocol):
    """Implemented by `storage.repositories.TopicRepository`."""

    async def add(self, *, slug: str, title: str, description: str, now: datetime) -> Topic: ...

    async def set_archived(self, slug: str, *, archived: bool) -> bool | None:
        """Archive or unarchive; whether the topic was archived before (None: there is no such topic)."""
        ...

    async def all(self, *, include_archived: bool = False) -> list[Topic]: ...

    async def by_slugs(self, slugs: Iterable[str]) -> list[Topic]: ...

    async def follower_counts(self) -> dict[int, int]:
        """Per topic id, the active channels subscribed to it (topics nobody follows are absent)."""
        ...

    async def loads(self, *, since: datetime, until: datetime) -> dict[int, SendingLoad]:
        """Per topic id, within (since, until]: deliveries sent of its announcements, and engagement
        events naming the topic (subscribe, `news`, mute…) or on its announcements naming none
        (reactions, questions…), proactive and reactive; topics with neither are absent."""
        ...


class SubscriptionStore(Protocol):
    """Implemented by `storage.repositories.SubscriptionRepository`."""

    async def topics_of(self, channel_id: int) -> list[Topic]:
        """The active topics a channel follows, by slug."""
        ...

    async def add(
        self, channel_id: int, topic_ids: Sequence[int], *, now: datetime, user: str | None = None
    ) -> list[str]:
        """Subscribe; returns the slugs that were newly added (existing ones are left alone), each a
        `subscribed` engagement event by `user` (the platform user id, if one person acted)."""
        ...

    async def remove(
        self,
        channel_id: int,
        topic_ids: Sequence[int],
        *,
        user: str | None,
        now: datetime,
        muted: bool = False,
    ) -> list[str]:
        """Unsubscribe; returns the slugs that were actually removed, each an `unsubscribed` (or, from
        "Mute this topic", `muted`) engagement event by `user`."""
        ...

    async def subscribe_channel(
        self,
        ref: ChannelRef,
        choose: Callable[[Sequence[Topic]], Sequence[int]],
        *,
        name: str,
        now: datetime,
        linked_only: bool,
        user: str | None = None,
    ) -> tuple[Channel, list[int] | None]:
        """`/partner subscribe` in one transaction: `choose` picks topic ids from the active topics
        (by slug), then `DirectoryStore.ensure_channel` and `add`. Returns the calling channel
        (registered or brought up to date) and the topic ids newly added (each a `subscribed` event by
        `user`), or None, with nothing subscribed or recorded, when `linked_only` and the channel is
        linked to no partner."""
        ...
