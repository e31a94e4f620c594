"""Announcements: drafts, targeting (reach preview and the outbox write), status, news."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, func, update
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.caps import WeeklyCap
from bot.domain import (
    Announcement,
    AnnouncementStatus,
    Audience,
    ChannelRef,
    Partner,
    Platform,
    Priority,
    Reach,
    Schedule,
    UserRef,
)
from bot.domain.cta import CallToAction
from bot.domain.engagement import EngagementKind, NewsPull
from bot.domain.files import Attachment
from bot.domain.variants import Variant
from bot.timing import DeliveryPlan
from storage.repositories.audiences import current_audience
from storage.repositories.base import Repository, need_id
from storage.repositories.cta import ctas_of, delete_ctas, save_ctas
from storage.repositories.engagement import record_event
from storage.repositories.files import files_of, link_files
from storage.repositories.search import reindex, unindex
from storage.repositories.targeting import targets, write_deliveries
from storage.repositories.variants import delete_variants, save_variants, variants_of
from storage.tables import AnnouncementFileRow, AnnouncementRow, AnnouncementTopicRow, DeliveryRow, TopicRow

LOCAL_ZONE = "local"  # `send_zone` of an announcement scheduled on each channel's own clock

NEWS_SCAN_LIMIT = 200


class AnnouncementRepository(Repository):
    async def create(
        self,
        *,
        title: str,
        body: str,
        topic_ids: Sequence[int],
        audience: Audience,
        priority: Priority,
        author: UserRef,
        origin: ChannelRef,
        now: datetime,
        schedule: Schedule | None = None,
        ack_required: bool = False,
        audience_name: str | None = None,
        ctas: Sequence[CallToAction] = (),
        variants: Sequence[Variant] = (),
        files: Sequence[Attachment] = (),
    ) -> Announcement:
        async with self._sessions.begin() as session:
            row = AnnouncementRow(
                title=title,
                body=body,
                audience=audience.to_json(),
                priority=priority.value,
                status=AnnouncementStatus.DRAFT.value,
                author_platform=author.platform,
                author_workspace=author.workspace,
                author_user=author.user,
                author_name=author.display_name,
                origin_channel=origin.channel,
                created_at=now,
                ack_required=ack_required,
                audience_name=audience_name,
            )
            if schedule is not None:
                row.send_at = schedule.first
                row.send_wall = f"{schedule.wall:%Y-%m-%d %H:%M}"
                row.send_zone = schedule.zone or LOCAL_ZONE
            session.add(row)
            await session.flush()
            for topic_id in topic_ids:
                session.add(AnnouncementTopicRow(announcement_id=need_id(row.id), topic_id=topic_id))
            await link_files(session, need_id(row.id), files, now=now)
            await session.flush()
            await save_ctas(session, need_id(row.id), ctas)
            await save_variants(session, need_id(row.id), variants, now=now)
            await reindex(session, need_id(row.id))
            return await to_announcement(session, row, origin.workspace)

    async def get(self, announcement_id: int) -> Announcement | None:
        async with self._sessions() as session:
            row = await session.get(AnnouncementRow, announcement_id)
            return await to_announcement(session, row, row.author_workspace) if row else None

    async def recent(self, limit: int = 10) -> list[Announcement]:
        async with self._sessions() as session:
            query = select(AnnouncementRow).order_by(col(AnnouncementRow.id).desc()).limit(limit)
            rows = list(await session.exec(query))
            return [await to_announcement(session, row, row.author_workspace) for row in rows]

    async def topic_ids(self, announcement_id: int) -> list[int]:
        async with self._sessions() as session:
            query = select(AnnouncementTopicRow.topic_id).where(
                AnnouncementTopicRow.announcement_id == announcement_id
            )
            return list(await session.exec(query))

    async def set_admin_thread(self, announcement_id: int, thread: str) -> str:
        """Record the admin thread for questions, unless one exists; return the one that stands."""
        async with self._sessions.begin() as session:
            await session.exec(
                update(AnnouncementRow)
                .where(
                    col(AnnouncementRow.id) == announcement_id, col(AnnouncementRow.admin_thread).is_(None)
                )
                .values(admin_thread=thread)
            )
            row = await session.get(AnnouncementRow, announcement_id)
            assert row is not None and row.admin_thread is not None
            return row.admin_thread

    async def claim_admin_thread(
        self, announcement_id: int, *, now: datetime, until: datetime
    ) -> bool | None:
        """Reserve the right to open the announcement's admin thread until `until`.

        True: reserved, and an earlier holder's reservation had expired (it may have posted the heading,
        so look before posting). False: reserved afresh. None: the thread exists or another worker
        holds a live reservation.
        """
        async with self._sessions.begin() as session:
            row = await session.get(AnnouncementRow, announcement_id, with_for_update=True)
            if row is None or row.admin_thread is not None:
                return None
            held = row.admin_thread_claimed_until
            if held is not None and held > now:
                return None
            row.admin_thread_claimed_until = until
            session.add(row)
            return held is not None

    async def release_admin_thread(self, announcement_id: int) -> None:
        """Give up a reservation after a send that certainly posted nothing."""
        async with self._sessions.begin() as session:
            await session.exec(
                update(AnnouncementRow)
                .where(
                    col(AnnouncementRow.id) == announcement_id, col(AnnouncementRow.admin_thread).is_(None)
                )
                .values(admin_thread_claimed_until=None)
            )

    async def admin_thread(self, announcement_id: int) -> str | None:
        async with self._sessions() as session:
            row = await session.get(AnnouncementRow, announcement_id)
            return row.admin_thread if row else None

    async def reach(self, topic_ids: Sequence[int], audience: Audience) -> Reach:
        """Count the channels a broadcast would reach now: subscriptions ∩ audience ∩ active."""
        found = targets(topic_ids, audience, self._excluded).subquery()
        grouped = sa_select(found.c.platform, found.c.tier, found.c.region, func.count()).group_by(
            found.c.platform, found.c.tier, found.c.region
        )
        partners = sa_select(func.count(func.distinct(found.c.partner_id)))
        languages = sa_select(found.c.language, func.count(func.distinct(found.c.partner_id))).group_by(
            found.c.language
        )
        by_platform: Counter[str] = Counter()
        by_tier: Counter[str] = Counter()
        by_region: Counter[str] = Counter()
        async with self._sessions() as session:
            for platform, tier, region, count in (await (await session.connection()).execute(grouped)).all():
                by_platform[platform] += count
                # No partner: unlinked; a partner without a value: "none", never an empty label.
                by_tier["unlinked" if tier is None else tier or "none"] += count
                by_region["unlinked" if region is None else region or "none"] += count
            partner_count = (await (await session.connection()).execute(partners)).scalar_one()
            by_language = {
                language or "": int(count)
                for language, count in (await (await session.connection()).execute(languages)).all()
                if count
            }
        return Reach(
            channels=sum(by_platform.values()),
            partners=int(partner_count),
            by_platform=dict(by_platform),
            by_tier=dict(by_tier),
            by_region=dict(by_region),
            by_language=by_language,
        )

    async def start_sending(
        self,
        announcement_id: int,
        topic_ids: Sequence[int],
        audience: Audience,
        *,
        bypass_digest: bool,
        now: datetime,
        allowed_from: Sequence[AnnouncementStatus] = (AnnouncementStatus.DRAFT,),
        plan: DeliveryPlan | None = None,
        cap: WeeklyCap | None = None,
    ) -> int | None:
        """Move the announcement to `sending` and write its outbox rows in one transaction.

        One delivery row per targeted channel, in a single INSERT … SELECT; the unique key makes a
        re-run add nothing. Without a `plan`, digest-mode channels get a DIGEST row unless
        `bypass_digest` (urgent announcements, or digests switched off) and every row is due now.
        With one, the announcement moves to the plan's status (`scheduled` for a scheduled send) and
        each row takes its group's `not_before` and hold.
        Returns the number of rows written, or None when the announcement was not in `allowed_from`
        (someone else sent or cancelled it first).
        """
        status = plan.status if plan is not None else AnnouncementStatus.SENDING
        # The audience it goes to is fixed now (a saved audience's filters as they stand: `audience`).
        values: dict[str, Any] = {"status": status.value, "sent_at": None, "audience": audience.to_json()}
        if status is AnnouncementStatus.SENDING:
            values["sent_at"] = now
        elif plan is not None and plan.timings:
            values["send_at"] = min(t.release for t in plan.timings)
        async with self._sessions.begin() as session:
            moved = await session.exec(
                update(AnnouncementRow)
                .where(
                    col(AnnouncementRow.id) == announcement_id,
                    col(AnnouncementRow.status).in_([s.value for s in allowed_from]),
                )
                .values(**values)
            )
            if not moved.rowcount:
                return None
            await reindex(session, announcement_id)  # its audience is fixed now
            await write_deliveries(
                session,
                announcement_id,
                topic_ids,
                audience,
                bypass_digest=bypass_digest,
                now=now,
                plan=plan,
                excluded=self._excluded,
                cap=cap,
            )
            # rowcount of INSERT … SELECT is -1 on PostgreSQL (psycopg): count the rows instead.
            written = await session.exec(
                select(func.count())
                .select_from(DeliveryRow)
                .where(DeliveryRow.announcement_id == announcement_id)
            )
            return int(written.one())

    async def news(
        self,
        *,
        topic_ids: Sequence[int],
        partner: Partner | None,
        limit: int,
        pulled_by: NewsPull | None = None,
    ) -> list[Announcement]:
        """The latest sent announcements on these topics whose audience includes this partner; with
        `pulled_by`, its `news_pulled` event in the same transaction."""
        if pulled_by is not None:
            async with self._sessions.begin() as session:
                await record_event(
                    session,
                    EngagementKind.NEWS_PULLED,
                    channel_id=pulled_by.channel_id,
                    user=pulled_by.user,
                    now=pulled_by.at,
                    topic_ids=(pulled_by.topic_id,),
                )
                return await self._news(session, topic_ids, partner, limit)
        async with self._sessions() as session:
            return await self._news(session, topic_ids, partner, limit)

    async def _news(
        self, session: AsyncSession, topic_ids: Sequence[int], partner: Partner | None, limit: int
    ) -> list[Announcement]:
        if not topic_ids:
            return []
        on_topic = exists().where(
            col(AnnouncementTopicRow.announcement_id) == AnnouncementRow.id,
            col(AnnouncementTopicRow.topic_id).in_(list(topic_ids)),
        )
        query = (
            select(AnnouncementRow)
            .where(col(AnnouncementRow.status).in_(["sending", "sent"]), on_topic)
            .order_by(col(AnnouncementRow.sent_at).desc(), col(AnnouncementRow.id).desc())
            .limit(NEWS_SCAN_LIMIT)
        )
        found: list[Announcement] = []
        for row in await session.exec(query):
            if _audience_includes(Audience.from_json(row.audience), partner):
                found.append(await to_announcement(session, row, row.author_workspace))
                if len(found) == limit:
                    break
        return found

    async def discard_draft(self, announcement_id: int) -> bool:
        """Delete a draft and its topic and file links as if it had never been written (a dry run's
        preview). The stored files stay: their content may be another announcement's too.

        Only a draft: it has no deliveries, questions or notices yet. False if it is not (or no longer)
        a draft, e.g. an admin sent it meanwhile."""
        async with self._sessions.begin() as session:
            row = await session.get(AnnouncementRow, announcement_id, with_for_update=True)
            if row is None or row.status != AnnouncementStatus.DRAFT.value:
                return False
            await unindex(session, announcement_id)
            await session.exec(
                delete(AnnouncementTopicRow).where(
                    col(AnnouncementTopicRow.announcement_id) == announcement_id
                )
            )
            await session.exec(
                delete(AnnouncementFileRow).where(col(AnnouncementFileRow.announcement_id) == announcement_id)
            )
            await delete_ctas(session, announcement_id)
            await delete_variants(session, announcement_id)
            await session.delete(row)
            return True


def _audience_includes(audience: Audience, partner: Partner | None) -> bool:
    if audience.is_everyone():
        return True
    if partner is None:
        return False
    return all(
        not wanted or value in wanted
        for wanted, value in (
            (audience.tiers, partner.tier),
            (audience.types, partner.type),
            (audience.regions, partner.region),
            (audience.languages, partner.language),
        )
    )


async def to_announcement(session: AsyncSession, row: AnnouncementRow, workspace: str) -> Announcement:
    slugs = await session.exec(
        select(TopicRow.slug)
        .join(AnnouncementTopicRow, col(AnnouncementTopicRow.topic_id) == TopicRow.id)
        .where(AnnouncementTopicRow.announcement_id == row.id)
        .order_by(col(TopicRow.slug))
    )
    platform = Platform(row.author_platform)
    ctas = await ctas_of(await session.connection(), [need_id(row.id)])
    variants = await variants_of(await session.connection(), [need_id(row.id)])
    return Announcement(
        id=need_id(row.id),
        title=row.title,
        body=row.body,
        topics=tuple(slugs),
        audience=await current_audience(session, row),
        priority=Priority(row.priority),
        status=AnnouncementStatus(row.status),
        author=UserRef(platform, row.author_workspace, row.author_user, row.author_name),
        origin=ChannelRef(platform, workspace, row.origin_channel),
        created_at=row.created_at,
        sent_at=row.sent_at,
        schedule=_schedule(row),
        ack_required=row.ack_required,
        audience_name=row.audience_name,
        ctas=ctas.get(need_id(row.id), ()),
        variants=variants.get(need_id(row.id), ()),
        files=await files_of(session, need_id(row.id)),
    )


def _schedule(row: AnnouncementRow) -> Schedule | None:
    if row.send_wall is None or row.send_at is None:
        return None
    wall = datetime.fromisoformat(row.send_wall)
    return Schedule(wall=wall, zone=None if row.send_zone == LOCAL_ZONE else row.send_zone, first=row.send_at)
