"""The notice outbox: messages the bot itself originates (reports, reminders) for admin channels.

Queuing is idempotent by the notice's unique key (INSERT … ON CONFLICT DO NOTHING), so a job that
runs twice, or in two processes, queues each notice once. Claiming, retrying and recording reuse the
delivery outbox's statements: the same lease, backoff and look-before-re-posting guarantees.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel

from bot.cadence import NoticeDraft
from bot.domain import ChannelRef, Outcome, Platform, Work, WorkKind
from storage.repositories.base import Repository
from storage.repositories.outbox import (
    _claim,
    _failed_statement,
    _retry_statement,
    _sent_statement,
    outcome_params,
)
from storage.tables import ChannelRow, NoticeRow

_N: Table = SQLModel.metadata.tables[NoticeRow.__tablename__]
_C: Table = SQLModel.metadata.tables[ChannelRow.__tablename__]


class NoticeRepository(Repository):
    async def add(self, drafts: Sequence[NoticeDraft], *, now: datetime) -> int:
        """Queue each draft unless a notice with its key exists; how many were new."""
        made = 0
        async with self._sessions.begin() as session:
            insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
            for draft in drafts:
                statement = (
                    insert(_N)
                    .values(
                        key=draft.key,
                        platform=draft.channel.platform.value,
                        workspace_id=draft.channel.workspace,
                        channel=draft.channel.channel,
                        thread=draft.thread,
                        text=draft.text,
                        announcement_id=draft.announcement_id,
                        status="pending",
                        attempts=0,
                        ambiguous=False,
                        last_error="",
                        not_before=now,
                        claimed_by="",
                        created_at=now,
                    )
                    .on_conflict_do_nothing(index_elements=["key"])
                    .returning(_N.c.id)
                )
                made += len((await session.exec(statement)).all())
        return made

    async def claim(
        self, *, now: datetime, lease_until: datetime, limit: int, worker: str, platforms: Sequence[str]
    ) -> list[Work]:
        """Claim due notices; a channel whose workspace the settings did not name gets the one the
        directory learnt (any command in that channel registers it)."""
        statement = _claim(
            _N, now=now, lease_until=lease_until, limit=limit, worker=worker, platforms=platforms
        ).returning(
            _N.c.id,
            _N.c.platform,
            _N.c.workspace_id,
            _N.c.channel,
            _N.c.attempts,
            _N.c.ambiguous,
            _N.c.announcement_id,
        )
        async with self._sessions.begin() as session:
            claimed = (await session.exec(statement)).all()
            unknown = {(row.platform, row.channel) for row in claimed if not row.workspace_id}
            learnt: dict[tuple[str, str], str] = {}
            if unknown:
                query = select(_C.c.platform, _C.c.channel_id, _C.c.workspace_id).where(
                    _C.c.channel_id.in_([channel for _, channel in unknown])
                )
                connection = await session.connection()
                for platform, channel, workspace in (await connection.execute(query)).all():
                    learnt[(platform, channel)] = workspace
        return [
            Work(
                kind=WorkKind.NOTICE,
                id=row.id,
                attempts=row.attempts,
                ambiguous=row.ambiguous,
                # A test copy: the announcement it shows (bot/services/test_sends.py).
                announcement_id=row.announcement_id,
                channel=ChannelRef(
                    Platform(row.platform),
                    row.workspace_id or learnt.get((row.platform, row.channel), ""),
                    row.channel,
                ),
            )
            for row in claimed
        ]

    async def content(self, notice_id: int) -> tuple[str, str | None]:
        """The notice's text and the thread it goes in, if any."""
        async with self._sessions() as session:
            query = select(_N.c.text, _N.c.thread).where(_N.c.id == notice_id)
            text, thread = (await (await session.connection()).execute(query)).one()
        return str(text), thread

    async def is_test_copy(self, platform: Platform, channel: str, message: str) -> bool:
        """Whether `message` in `channel` is a test copy the bot posted (`test <id>`)."""
        query = select(_N.c.id).where(
            _N.c.announcement_id.is_not(None),
            _N.c.platform == platform.value,
            _N.c.channel == channel,
            _N.c.message_id == message,
        )
        async with self._sessions() as session:
            return (await (await session.connection()).execute(query.limit(1))).first() is not None

    async def record(self, outcomes: Sequence[Outcome], *, worker: str, now: datetime) -> None:
        """Write a batch of outcomes in one transaction."""
        sent, retry, failed = outcome_params(outcomes, worker=worker, now=now)
        async with self._sessions.begin() as session:
            if sent:
                await session.exec(_sent_statement(_N), params=sent)
            if retry:
                await session.exec(_retry_statement(_N), params=retry)
            if failed:
                await session.exec(_failed_statement(_N), params=failed)
