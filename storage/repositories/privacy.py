"""Personal data: who a stored name belongs to, forgetting a person, blanking old texts (retention).

A person is a platform and that platform's user id. Rows that store no platform of their own
(questions, reactions, acknowledgements) take it from their channel or delivery; Slack and Discord
user ids are unique on their platform, so no workspace is needed to tell people apart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, delete, func, select, union, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import SQLModel

from bot.domain import Platform
from bot.ports import Blanked, KnownName, PersonalData, PersonRef
from storage.repositories.base import Repository
from storage.repositories.faq_search import folded, recount
from storage.tables import (
    AckRow,
    AnnouncementRow,
    AnswerRow,
    AuditRow,
    ChannelRow,
    DeliveryRow,
    EngagementEventRow,
    FaqDocumentRow,
    InviteRow,
    NoticeRow,
    QuestionRow,
    ReactionRow,
)
from storage.tables import table_of as _t

_Q, _AN, _R, _K, _AU, _AN2, _I, _C, _D, _N, _E = (
    _t(QuestionRow), _t(AnswerRow), _t(ReactionRow), _t(AckRow), _t(AuditRow), _t(AnnouncementRow),
    _t(InviteRow), _t(ChannelRow), _t(DeliveryRow), _t(NoticeRow), _t(EngagementEventRow),
)  # fmt: skip

_PLATFORMS = frozenset(p.value for p in Platform)
_FAQ = SQLModel.metadata.tables[FaqDocumentRow.__tablename__]


async def forget_old_answers(conn: AsyncConnection, cutoff: datetime) -> None:
    """Answers that already exist (issue 18) keep a copy of the question's words: a question blanked
    for its age is no longer offered either, unless an admin made it an FAQ (its own wording)."""
    old = select(_Q.c.id).where(_Q.c.created_at < cutoff).scalar_subquery()
    forgotten = (_FAQ.c.question_id.in_(old), _FAQ.c.faq.is_(False))
    gone = await conn.execute(select(_FAQ.c.question, _FAQ.c.answer).where(*forgotten))
    await recount(conn, removed=[folded(row) for row in gone], added=[])
    await conn.execute(delete(_FAQ).where(*forgotten))


# Notices still to be posted (or being posted) keep their text: the worker needs it.
_UNFINISHED = ("pending", "claimed")


def _on_platform_channels(platform: Platform) -> Any:
    return select(_C.c.id).where(_C.c.platform == platform.value).scalar_subquery()


def _on_platform_deliveries(platform: Platform) -> Any:
    return select(_D.c.id).where(_D.c.platform == platform.value).scalar_subquery()


def _person_rows(person: PersonRef) -> dict[str, tuple[Table, ColumnElement[bool]]]:
    """Per kind: the table and the condition that picks this person's rows in it."""
    p, user = person.platform, person.user
    return {
        "questions": (_Q, and_(_Q.c.asker_id == user, _Q.c.channel_id.in_(_on_platform_channels(p)))),
        "answers": (_AN, and_(_AN.c.admin_id == user, _AN.c.admin_platform == p.value)),
        "reactions": (_R, and_(_R.c.user_id == user, _R.c.delivery_id.in_(_on_platform_deliveries(p)))),
        "acknowledgements": (
            _K,
            and_(_K.c.user_id == user, _K.c.delivery_id.in_(_on_platform_deliveries(p))),
        ),
        "audit_entries": (_AU, and_(_AU.c.user_id == user, _AU.c.platform == p.value)),
        "announcements": (_AN2, and_(_AN2.c.author_user == user, _AN2.c.author_platform == p.value)),
        "join_codes": (_I, _I.c.created_by == person.key()),
        "engagement_events": (_E, and_(_E.c.user_id == user, _E.c.platform == p.value)),
    }


def _new_values(kind: str, pseudonym: str, name: str, person: PersonRef) -> dict[str, str]:
    return {
        "questions": {"asker_id": pseudonym, "asker_name": name},
        "answers": {"admin_id": pseudonym, "admin_name": name},
        "reactions": {"user_id": pseudonym},
        "acknowledgements": {"user_id": pseudonym, "user_name": name},
        "audit_entries": {"user_id": pseudonym, "user_name": name},
        "announcements": {"author_user": pseudonym, "author_name": name},
        "join_codes": {"created_by": f"{person.platform.value}:{pseudonym}"},
        "engagement_events": {"user_id": pseudonym},
    }[kind]


class PrivacyRepository(Repository):
    async def names(self) -> list[KnownName]:
        """See `bot.ports.PrivacyStore`."""
        questions = select(_Q.c.asker_name, _C.c.platform, _Q.c.asker_id).select_from(
            _Q.join(_C, _C.c.id == _Q.c.channel_id)
        )
        acks = select(_K.c.user_name, _D.c.platform, _K.c.user_id).select_from(
            _K.join(_D, _D.c.id == _K.c.delivery_id)
        )
        query = union(
            questions,
            select(_AN.c.admin_name, _AN.c.admin_platform, _AN.c.admin_id),
            acks,
            select(_AU.c.user_name, _AU.c.platform, _AU.c.user_id),
            select(_AN2.c.author_name, _AN2.c.author_platform, _AN2.c.author_user),
        )
        async with self._sessions() as session:
            found = (await (await session.connection()).execute(query)).all()
        return [
            KnownName(name, PersonRef(Platform(platform), user))
            for name, platform, user in found
            if name and platform in _PLATFORMS
        ]

    async def count(self, person: PersonRef) -> PersonalData:
        """See `bot.ports.PrivacyStore`."""
        async with self._sessions() as session:
            conn = await session.connection()
            counts = {
                kind: await _count(conn, table, where)
                for kind, (table, where) in _person_rows(person).items()
            }
        return PersonalData(**counts)

    async def forget(self, person: PersonRef, *, pseudonym: str, name: str) -> PersonalData:
        """See `bot.ports.PrivacyStore`."""
        counts: dict[str, int] = {}
        async with self._sessions.begin() as session:
            conn = await session.connection()
            for kind, (table, where) in _person_rows(person).items():
                values = _new_values(kind, pseudonym, name, person)
                result = await conn.execute(update(table).where(where).values(**values))
                counts[kind] = int(result.rowcount)
        return PersonalData(**counts)

    async def blank_before(self, cutoff: datetime, *, placeholder: str, reminder_prefix: str) -> Blanked:
        """See `bot.ports.PrivacyStore`."""
        statements = {
            "questions": update(_Q).where(_Q.c.created_at < cutoff, _Q.c.text != placeholder),
            "answers": update(_AN).where(_AN.c.created_at < cutoff, _AN.c.text != placeholder),
            "reminders": update(_N).where(
                _N.c.created_at < cutoff,
                _N.c.key.startswith(reminder_prefix, autoescape=True),
                _N.c.status.not_in(_UNFINISHED),
                _N.c.text != placeholder,
            ),
        }
        counts: dict[str, int] = {}
        async with self._sessions.begin() as session:
            conn = await session.connection()
            for kind, statement in statements.items():
                counts[kind] = int((await conn.execute(statement.values(text=placeholder))).rowcount)
            audit = update(_AU).where(_AU.c.at < cutoff, _AU.c.detail != placeholder, _AU.c.detail != "")
            counts["audit_entries"] = int((await conn.execute(audit.values(detail=placeholder))).rowcount)
            await forget_old_answers(conn, cutoff)
        return Blanked(**counts)


async def _count(conn: AsyncConnection, table: Table, where: ColumnElement[bool]) -> int:
    return int((await conn.execute(select(func.count()).select_from(table).where(where))).scalar_one())
