"""What vendor admins do from the admin channel: topics, invites, broadcasts (draft → preview → send)."""

from __future__ import annotations

import difflib
import secrets
from collections.abc import Callable, Mapping
from datetime import timedelta

from bot import messages as m
from bot.commands import Broadcast, Cancel, Invite, Send, TopicAdd, TopicArchive
from bot.config import Settings
from bot.domain import (
    Announcement,
    AnnouncementStatus,
    Button,
    ButtonStyle,
    Invocation,
    PartnerProfile,
    Priority,
    Reach,
    Reply,
    Topic,
)
from bot.ports import Clock, Stores, TopicAlreadyExists

SEND_ACTION = "announcement_send"
CANCEL_ACTION = "announcement_cancel"
# No 0/O/1/I/L: codes are read aloud and typed from emails.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def error(text: str) -> Reply:
    return Reply(text=text, is_error=True)


class AdminService:
    def __init__(
        self, stores: Stores, clock: Clock, settings: Settings, *, wake_worker: Callable[[], None]
    ) -> None:
        self._stores = stores
        self._clock = clock
        self._settings = settings
        self._wake_worker = wake_worker
        # Hold deliveries to daily/weekly channels for their digest. Off until the digest job exists
        # (issue 7): holding with nothing to send the digest would withhold announcements forever.
        self.hold_digests = False

    async def add_topic(self, cmd: TopicAdd) -> Reply:
        try:
            topic = await self._stores.topics.add(
                slug=cmd.slug, title=cmd.title, description=cmd.description, now=self._clock.now()
            )
        except TopicAlreadyExists:
            return error(m.TOPIC_EXISTS.format(slug=cmd.slug))
        return Reply(text=m.TOPIC_ADDED.format(slug=topic.slug, title=topic.title), ephemeral=False)

    async def archive_topic(self, cmd: TopicArchive) -> Reply:
        topic = await self._stores.topics.set_archived(cmd.slug, archived=True)
        if topic is None:
            return error(await self._unknown_topic(cmd.slug))
        return Reply(text=m.TOPIC_ARCHIVED.format(slug=topic.slug), ephemeral=False)

    async def invite(self, inv: Invocation, cmd: Invite) -> Reply:
        now = self._clock.now()
        code = _join_code()
        expires = now + timedelta(days=self._settings.invite_ttl_days)
        profile = PartnerProfile(
            name=cmd.partner_name,
            tier=cmd.tier,
            type=cmd.type,
            region=cmd.region,
            language=cmd.language,
            timezone=self._settings.default_timezone,
        )
        partner = await self._stores.directory.create_invite(
            profile, code=code, created_by=inv.user.key(), expires_at=expires, now=now
        )
        return Reply(
            text=m.INVITE_CREATED.format(
                name=partner.name, tier=partner.tier, code=code, expires=f"{expires:%Y-%m-%d}"
            )
        )

    async def broadcast(self, inv: Invocation, cmd: Broadcast) -> Reply:
        """Create a draft and answer with its preview: the rendered text and who it will reach."""
        if cmd.send_at is not None:
            # Refuse rather than ignore: sending at once what was meant for later would be worse.
            return error(m.SCHEDULING_UNAVAILABLE)
        topics, problem = await self._active_topics(cmd.topics)
        if problem:
            return error(problem)
        announcement = await self._stores.announcements.create(
            title=cmd.title,
            body=cmd.body,
            topic_ids=[t.id for t in topics],
            audience=cmd.audience,
            priority=Priority.URGENT if cmd.urgent else Priority.NORMAL,
            author=inv.user,
            origin=inv.channel,
            now=self._clock.now(),
        )
        reach = await self._stores.announcements.reach([t.id for t in topics], cmd.audience)
        return preview(announcement, reach, digests=self.hold_digests)

    async def send(self, cmd: Send) -> Reply:
        announcement = await self._stores.announcements.get(cmd.announcement_id)
        if announcement is None:
            return error(m.NO_SUCH_ANNOUNCEMENT.format(id=cmd.announcement_id))
        if announcement.status is not AnnouncementStatus.DRAFT:
            return error(m.NOT_A_DRAFT.format(id=announcement.id, status=announcement.status.value))
        topic_ids = await self._stores.announcements.topic_ids(announcement.id)
        reach = await self._stores.announcements.reach(topic_ids, announcement.audience)
        if reach.channels == 0:
            return error(m.EMPTY_AUDIENCE.format(id=announcement.id, audience=_audience(announcement)))
        written = await self._stores.announcements.start_sending(
            announcement.id,
            topic_ids,
            announcement.audience,
            bypass_digest=announcement.priority is Priority.URGENT or not self.hold_digests,
            now=self._clock.now(),
        )
        if written is None:
            return error(m.NOT_A_DRAFT.format(id=announcement.id, status="already being sent"))
        self._wake_worker()
        return Reply(
            text=m.SENDING.format(id=announcement.id, title=announcement.title, count=written),
            ephemeral=False,
        )

    async def cancel(self, cmd: Cancel) -> Reply:
        announcement = await self._stores.announcements.get(cmd.announcement_id)
        if announcement is None:
            return error(m.NO_SUCH_ANNOUNCEMENT.format(id=cmd.announcement_id))
        cancelled = await self._stores.announcements.transition(
            announcement.id,
            to=AnnouncementStatus.CANCELLED,
            allowed_from=(AnnouncementStatus.DRAFT, AnnouncementStatus.SCHEDULED),
        )
        if not cancelled:
            return error(m.CANNOT_CANCEL.format(id=announcement.id, status=announcement.status.value))
        return Reply(text=m.CANCELLED.format(id=announcement.id, title=announcement.title), ephemeral=False)

    async def _active_topics(self, slugs: tuple[str, ...]) -> tuple[list[Topic], str]:
        found = {t.slug: t for t in await self._stores.topics.by_slugs(slugs)}
        for slug in slugs:
            topic = found.get(slug)
            if topic is None:
                return [], await self._unknown_topic(slug)
            if topic.archived:
                return [], m.TOPIC_IS_ARCHIVED.format(slug=slug)
        return [found[slug] for slug in slugs], ""

    async def _unknown_topic(self, slug: str) -> str:
        known = [t.slug for t in await self._stores.topics.all()]
        close = difflib.get_close_matches(slug, known, n=1, cutoff=0.6)
        hint = m.DID_YOU_MEAN.format(suggestion=close[0]) if close else "."
        return m.UNKNOWN_TOPIC.format(slug=slug, did_you_mean=hint)


def preview(announcement: Announcement, reach: Reach, *, digests: bool = True) -> Reply:
    """The admin's preview: the announcement as partners will see it, its reach, Send and Cancel."""
    text = m.PREVIEW.format(
        id=announcement.id,
        urgent=m.URGENT_MARK if announcement.priority is Priority.URGENT else "",
        title=announcement.title,
        body=announcement.body,
        topics=", ".join(announcement.topics),
        audience=_audience(announcement),
    )
    if reach.channels == 0:
        return Reply(
            text=text
            + "\n\n"
            + m.EMPTY_AUDIENCE.format(id=announcement.id, audience=_audience(announcement)),
            ephemeral=False,
            is_error=True,
        )
    text += "\n\n" + m.REACH.format(
        channels=reach.channels,
        partners=reach.partners,
        platforms=_counts(reach.by_platform),
        tiers=_counts(reach.by_tier),
        regions=_counts(reach.by_region),
    )
    if digests and reach.digest_channels and announcement.priority is not Priority.URGENT:
        text += "\n" + m.REACH_DIGEST.format(count=reach.digest_channels)
    buttons = (
        Button(m.SEND_BUTTON, SEND_ACTION, str(announcement.id), ButtonStyle.PRIMARY),
        Button(m.CANCEL_BUTTON, CANCEL_ACTION, str(announcement.id), ButtonStyle.DANGER),
    )
    return Reply(text=text, ephemeral=False, buttons=buttons)


def _audience(announcement: Announcement) -> str:
    return announcement.audience.describe()


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(
        f"{key} {value}" for key, value in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )


def _join_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    return f"PB-{raw[:4]}-{raw[4:]}"
