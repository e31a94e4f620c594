"""What the operators' endpoints read (bot/metrics.py): is the database answering, and how full
are the outbox queues. Root-side only: the core never asks for these."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, func, select, text
from sqlmodel import SQLModel

from storage.repositories.base import Repository
from storage.tables import AnnouncementRow, DeliveryRow, DeliveryUpdateRow, DigestRow, NoticeRow, RelayRow

# Queue name (as in the metrics' `queue` label) → its outbox table.
QUEUES: dict[str, Table] = {
    "delivery": SQLModel.metadata.tables[DeliveryRow.__tablename__],
    "digest": SQLModel.metadata.tables[DigestRow.__tablename__],
    "relay": SQLModel.metadata.tables[RelayRow.__tablename__],
    "notice": SQLModel.metadata.tables[NoticeRow.__tablename__],
    "update": SQLModel.metadata.tables[DeliveryUpdateRow.__tablename__],
}
# Rows still in the outbox; sent, failed and recalled rows are history, not depth.
OPEN_STATUSES = ("pending", "claimed", "digest")
_ANNOUNCEMENT: Table = SQLModel.metadata.tables[AnnouncementRow.__tablename__]


@dataclass(frozen=True, slots=True)
class OutboxGauges:
    """A snapshot for one scrape."""

    # (queue, status) → rows
    depth: dict[tuple[str, str], int] = field(default_factory=dict)
    # queue → seconds the oldest due, pending row has waited (0 when none is waiting)
    oldest_pending: dict[str, float] = field(default_factory=dict)
    scheduled_announcements: int = 0
    # deliveries held for a daily or weekly digest
    held_deliveries: int = 0


class OpsRepository(Repository):
    async def ping(self) -> None:
        """Raises when the database does not answer."""
        async with self._sessions() as session:
            ping: Any = text("SELECT 1")
            await session.exec(ping)

    async def gauges(self, *, now: datetime) -> OutboxGauges:
        depth: dict[tuple[str, str], int] = {}
        oldest: dict[str, float] = {}
        async with self._sessions() as session:
            for queue, table in QUEUES.items():
                counted: Any = (
                    select(table.c.status, func.count())
                    .where(table.c.status.in_(OPEN_STATUSES))
                    .group_by(table.c.status)
                )
                for status, rows in (await session.exec(counted)).all():
                    depth[(queue, str(status))] = int(rows)
                first: Any = select(func.min(table.c.not_before)).where(
                    table.c.status == "pending", table.c.not_before <= now
                )
                since = (await session.exec(first)).scalar()
                oldest[queue] = max(0.0, (now - since).total_seconds()) if since is not None else 0.0
            waiting: Any = (
                select(func.count()).select_from(_ANNOUNCEMENT).where(_ANNOUNCEMENT.c.status == "scheduled")
            )
            scheduled = (await session.exec(waiting)).scalar()
        return OutboxGauges(
            depth=depth,
            oldest_pending=oldest,
            scheduled_announcements=int(scheduled or 0),
            held_deliveries=depth.get(("delivery", "digest"), 0),
        )
