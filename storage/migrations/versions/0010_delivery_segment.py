"""the partner's segment on each delivery, so stats are history (issue 11)

delivery.tier / type / region / language: what the partner was when the announcement was sent
(NULL: the channel was linked to no partner). Existing rows are back-filled from the partner as it is
now, the best that is known about them.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SEGMENT = (("tier", 40), ("type", 40), ("region", 40), ("language", 20))


def upgrade() -> None:
    with op.batch_alter_table("delivery") as batch:
        for name, length in _SEGMENT:
            batch.add_column(sa.Column(name, sa.String(length=length), nullable=True))
    for name, _ in _SEGMENT:
        op.execute(
            f"UPDATE delivery SET {name} = (SELECT partner.{name} FROM channel "
            "JOIN partner ON partner.id = channel.partner_id WHERE channel.id = delivery.channel_id)"
        )


def downgrade() -> None:
    with op.batch_alter_table("delivery") as batch:
        for name, _ in reversed(_SEGMENT):
            batch.drop_column(name)
