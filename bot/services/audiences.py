"""Saved audiences: `audience save|list|show|delete`, and resolving `broadcast audience:<name>`.

A saved audience is a name for broadcast filters (tier, type, region, language) and, optionally, the
topics its broadcasts are about. Values are checked exactly as a broadcast's are (bot/vocabulary.py),
and its reach is counted with the broadcast preview's targeting (`AnnouncementStore.reach`). A draft
keeps the name, not the filters: storage resolves a draft's audience from the saved one each time it
is read, and `start_sending` fixes the filters it went out with.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace

from bot import messages as m
from bot.commands import AudienceSave, Broadcast
from bot.domain.announcements import Reach
from bot.domain.audiences import SavedAudience
from bot.domain.conversation import Invocation, RefusalCode
from bot.domain.topics import Topic
from bot.ports.announcements import AnnouncementStore
from bot.ports.audiences import SavedAudienceStore
from bot.ports.clock import Clock
from bot.ports.directory import DirectoryStore
from bot.ports.topics import TopicStore
from bot.results import (
    AudienceDeleted,
    AudienceInUse,
    AudienceReach,
    AudienceSaved,
    AudienceShown,
    AudiencesListed,
    Refused,
)
from bot.settings import CoreSettings
from bot.vocabulary import UnknownValue
from bot.vocabulary import load as load_vocabulary


@dataclass(frozen=True, slots=True)
class AudiencePorts:
    """The ports AudienceService uses (bot/core.py wires them)."""

    audiences: SavedAudienceStore
    announcements: AnnouncementStore
    topics: TopicStore
    directory: DirectoryStore


class AudienceService:
    def __init__(self, ports: AudiencePorts, clock: Clock, settings: CoreSettings) -> None:
        self._stores = ports
        self._clock = clock
        self._settings = settings

    async def save(self, inv: Invocation, cmd: AudienceSave) -> AudienceSaved | Refused:
        """Create or replace a saved audience; nothing is saved for a value outside the vocabulary or
        a topic that does not exist or is archived."""
        try:
            vocabulary = await load_vocabulary(self._stores.directory, self._settings)
            audience = vocabulary.check_audience(cmd.audience)
        except UnknownValue as unknown:
            return Refused(RefusalCode.UNKNOWN_VALUE, unknown.key, message=unknown.message)
        topics = await self._active_topics(cmd.topics)
        if isinstance(topics, Refused):
            return topics
        who = inv.user.display_name or inv.user.user
        saved = SavedAudience(cmd.name, audience, cmd.topics, self._clock.now(), who)
        before = await self._stores.audiences.save(saved, now=self._clock.now())
        return AudienceSaved(saved, await self.reach(saved), before)

    async def listing(self) -> AudiencesListed:
        """Every saved audience, by name, with its reach now."""
        found = await self._stores.audiences.all()
        return AudiencesListed(tuple([AudienceReach(a, await self.reach(a)) for a in found]))

    async def show(self, name: str) -> AudienceShown | Refused:
        saved = await self._stores.audiences.get(name)
        if saved is None:
            return await self._unknown(name)
        return AudienceShown(AudienceReach(saved, await self.reach(saved)))

    async def delete(self, name: str) -> AudienceDeleted | AudienceInUse | Refused:
        """Delete it, unless an open draft refers to it (the drafts are named instead)."""
        users = await self._stores.audiences.delete(name)
        if users is None:
            return await self._unknown(name)
        if users:
            return AudienceInUse(name, tuple(users))
        return AudienceDeleted(name)

    async def reach(self, saved: SavedAudience) -> Reach:
        """Who a broadcast to it would reach now: its topics (every active topic when it names none)
        ∩ its filters ∩ active channels — the broadcast preview's count."""
        topics = await self._stores.topics.by_slugs(saved.topics) if saved.topics else None
        if topics is None:
            topics = await self._stores.topics.all()
        topic_ids = [t.id for t in topics if not t.archived]
        return await self._stores.announcements.reach(topic_ids, saved.audience)

    async def resolve(self, cmd: Broadcast) -> Broadcast | Refused:
        """A broadcast to `audience:<name>` with the saved audience's filters (and its topics when
        the broadcast names none), or why not. Structured input arrives here too, so a filter beside
        `audience:` is refused here as in the grammar."""
        name = cmd.saved_audience
        assert name is not None
        saved = await self._stores.audiences.get(name)
        if saved is None:
            return await self._unknown(name)
        if not cmd.audience.is_everyone():
            keys = ", ".join(f"`{key}:`" for key in _filter_keys(cmd))
            text = m.BROADCAST_AUDIENCE_CONFLICT.format(name=name, keys=keys)
            return Refused(RefusalCode.SYNTAX, "audience", message=text)
        if cmd.topics and saved.topics and set(cmd.topics) != set(saved.topics):
            return Refused(
                RefusalCode.AUDIENCE_TOPIC_CONFLICT,
                "topics",
                value=name,
                suggestion=", ".join(saved.topics),
                audience=", ".join(cmd.topics),
            )
        topics = cmd.topics or saved.topics
        if not topics:
            return Refused(RefusalCode.MISSING, "topics", value=name)
        return replace(cmd, audience=saved.audience, topics=topics)

    async def _active_topics(self, slugs: tuple[str, ...]) -> list[Topic] | Refused:
        found = {t.slug: t for t in await self._stores.topics.by_slugs(slugs)}
        for slug in slugs:
            topic = found.get(slug)
            if topic is None:
                known = [t.slug for t in await self._stores.topics.all()]
                return Refused(
                    RefusalCode.UNKNOWN_TOPIC, "topics", value=slug, suggestion=_closest(slug, known)
                )
            if topic.archived:
                return Refused(RefusalCode.TOPIC_ARCHIVED, "topics", value=slug)
        return [found[slug] for slug in slugs]

    async def _unknown(self, name: str) -> Refused:
        known = [a.name for a in await self._stores.audiences.all()]
        return Refused(RefusalCode.NO_SUCH_AUDIENCE, "audience", value=name, suggestion=_closest(name, known))


def _filter_keys(cmd: Broadcast) -> list[str]:
    a = cmd.audience
    pairs = (("tier", a.tiers), ("type", a.types), ("region", a.regions), ("language", a.languages))
    return [key for key, values in pairs if values]


def _closest(word: str, known: list[str]) -> str:
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    return close[0] if close else ""
