"""Recurring series (bot/domain/series.py): template, rule, state and the latest occurrence."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import delete, update
from sqlmodel import col, select

from bot.domain import Audience, ChannelRef, Platform, UserRef
from bot.domain.cta import CallToAction
from bot.domain.series import Recurrence, Series, SeriesStatus, SeriesTemplate
from bot.recurrence import parse_every
from storage.repositories.base import Repository, need_id
from storage.tables import SeriesRow


class SeriesRepository(Repository):
    async def create(
        self,
        *,
        template: SeriesTemplate,
        rule: Recurrence,
        zone: str | None,
        until: date | None,
        author: UserRef,
        origin: ChannelRef,
        now: datetime,
    ) -> Series:
        row = SeriesRow(
            title=template.title,
            body=template.body,
            topics=list(template.topics),
            audience=template.audience.to_json(),
            audience_name=template.saved_audience,
            urgent=template.urgent,
            ack_required=template.ack_required,
            ctas=[[cta.label, cta.url] for cta in template.ctas],
            rule=rule.text(),
            zone=zone,
            until=until,
            status=SeriesStatus.DRAFT.value,
            author_platform=author.platform.value,
            author_workspace=author.workspace,
            author_user=author.user,
            author_name=author.display_name,
            origin_workspace=origin.workspace,
            origin_channel=origin.channel,
            created_at=now,
        )
        async with self._sessions.begin() as session:
            session.add(row)
            await session.flush()
            return _series(row)

    async def get(self, series_id: int) -> Series | None:
        async with self._sessions() as session:
            row = await session.get(SeriesRow, series_id)
            return _series(row) if row else None

    async def all(self, *, statuses: Sequence[SeriesStatus] = ()) -> list[Series]:
        query = select(SeriesRow).order_by(col(SeriesRow.id))
        if statuses:
            query = query.where(col(SeriesRow.status).in_([s.value for s in statuses]))
        async with self._sessions() as session:
            return [_series(row) for row in await session.exec(query)]

    async def set_status(
        self,
        series_id: int,
        status: SeriesStatus,
        *,
        expected: Sequence[SeriesStatus],
        active_since: datetime | None = None,
    ) -> Series | None:
        values: dict[str, object] = {"status": status.value}
        if active_since is not None:
            values["active_since"] = active_since
        async with self._sessions.begin() as session:
            changed = await session.exec(
                update(SeriesRow)
                .where(
                    col(SeriesRow.id) == series_id,
                    col(SeriesRow.status).in_([s.value for s in expected]),
                )
                .values(**values)
                .returning(col(SeriesRow.id))
            )
            if not changed.all():
                return None
        return await self.get(series_id)

    async def discard_draft(self, series_id: int) -> bool:
        # A draft has drafted no occurrence, so no announcement points at it.
        async with self._sessions.begin() as session:
            deleted = await session.exec(
                delete(SeriesRow)
                .where(col(SeriesRow.id) == series_id, col(SeriesRow.status) == SeriesStatus.DRAFT.value)
                .returning(col(SeriesRow.id))
            )
            return bool(deleted.all())

    async def edit(
        self, series_id: int, *, title: str | None, body: str | None, now: datetime
    ) -> Series | None:
        values: dict[str, object] = {"revision": col(SeriesRow.revision) + 1, "edited_at": now}
        if title is not None:
            values["title"] = title
        if body is not None:
            values["body"] = body
        async with self._sessions.begin() as session:
            changed = await session.exec(
                update(SeriesRow)
                .where(col(SeriesRow.id) == series_id, col(SeriesRow.status) != SeriesStatus.ENDED.value)
                .values(**values)
                .returning(col(SeriesRow.id))
            )
            if not changed.all():
                return None
        return await self.get(series_id)

    async def record_occurrence(
        self, series_id: int, *, day: date, announcement_id: int | None, note: str
    ) -> None:
        async with self._sessions.begin() as session:
            await session.exec(
                update(SeriesRow)
                .where(col(SeriesRow.id) == series_id)
                .values(last_occurrence=day, last_announcement_id=announcement_id, last_note=note[:300])
            )


def _series(row: SeriesRow) -> Series:
    rule = parse_every(row.rule)
    assert not isinstance(rule, str), f"series {row.id}: stored rule {row.rule!r} does not parse"
    platform = Platform(row.author_platform)
    template = SeriesTemplate(
        title=row.title,
        body=row.body,
        topics=tuple(row.topics or ()),
        audience=Audience.from_json(row.audience),
        saved_audience=row.audience_name,
        urgent=row.urgent,
        ack_required=row.ack_required,
        ctas=tuple(CallToAction(label, url) for label, url in row.ctas or ()),
    )
    return Series(
        id=need_id(row.id),
        template=template,
        rule=rule,
        zone=row.zone,
        until=row.until,
        status=SeriesStatus(row.status),
        author=UserRef(platform, row.author_workspace, row.author_user, row.author_name),
        origin=ChannelRef(platform, row.origin_workspace, row.origin_channel),
        created_at=row.created_at,
        active_since=row.active_since,
        revision=row.revision,
        last_occurrence=row.last_occurrence,
        last_announcement=row.last_announcement_id,
        last_note=row.last_note,
    )
