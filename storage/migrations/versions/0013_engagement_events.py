"""engagement events (issue 14)

- engagement_event: one append-only row per partner action (bot/domain/engagement.py), written from
  now on in the transaction of the action itself.
- Back-fill from what is already stored, in time order: reactions (added, and removed where the
  reaction is off now; a Helpful press as `helpful`), questions, answers (`answer_received`, for the
  partner who asked), acknowledgements, subscriptions and redeemed join codes. Only the last state of
  a reaction is stored, so earlier add/remove flips are not recovered; the partner of a back-filled
  event is the channel's partner today (a join's is its code's). Subscriptions and joins record no
  user (nobody stored who made them). Downgrade drops the table.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = storage.tables.UTCDateTime(timezone=True)

# One SELECT per source, all with the columns of _COLUMNS; `p`/`c` are the partner and channel.
_COLUMNS = "at, kind, proactive, partner_id, channel_id, platform, user_id, announcement_id, topic_id, detail"
_SOURCES = (
    # reactions as they were added (a Helpful press is stored as the emoji "helpful")
    """SELECT r.added_at, CASE WHEN r.emoji = 'helpful' THEN 'helpful' ELSE 'reaction_added' END, FALSE,
           c.partner_id, c.id, c.platform, r.user_id, d.announcement_id, CAST(NULL AS INTEGER), r.emoji
      FROM reaction r JOIN delivery d ON d.id = r.delivery_id JOIN channel c ON c.id = d.channel_id""",
    """SELECT r.removed_at, 'reaction_removed', FALSE,
           c.partner_id, c.id, c.platform, r.user_id, d.announcement_id, CAST(NULL AS INTEGER), r.emoji
      FROM reaction r JOIN delivery d ON d.id = r.delivery_id JOIN channel c ON c.id = d.channel_id
     WHERE r.active = FALSE AND r.removed_at IS NOT NULL""",
    """SELECT q.created_at, 'question_asked', TRUE,
           c.partner_id, c.id, c.platform, q.asker_id, q.announcement_id, CAST(NULL AS INTEGER), NULL
      FROM question q JOIN channel c ON c.id = q.channel_id""",
    """SELECT a.created_at, 'answer_received', FALSE,
           c.partner_id, c.id, c.platform, q.asker_id, q.announcement_id, CAST(NULL AS INTEGER), NULL
      FROM answer a JOIN question q ON q.id = a.question_id JOIN channel c ON c.id = q.channel_id""",
    """SELECT k.acked_at, 'acknowledged', FALSE,
           c.partner_id, c.id, c.platform, k.user_id, d.announcement_id, CAST(NULL AS INTEGER), NULL
      FROM ack k JOIN delivery d ON d.id = k.delivery_id JOIN channel c ON c.id = d.channel_id""",
    """SELECT s.created_at, 'subscribed', TRUE,
           c.partner_id, c.id, c.platform, NULL, CAST(NULL AS INTEGER), s.topic_id, NULL
      FROM subscription s JOIN channel c ON c.id = s.channel_id""",
    """SELECT i.used_at, 'joined', TRUE,
           i.partner_id, c.id, c.platform, NULL, CAST(NULL AS INTEGER), CAST(NULL AS INTEGER), NULL
      FROM invite i JOIN channel c ON c.id = i.used_by_channel_id
     WHERE i.used_at IS NOT NULL""",
)


def upgrade() -> None:
    op.create_table(
        "engagement_event",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("proactive", sa.Boolean(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("channel_id", sa.Integer(), nullable=True),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=True),
        sa.Column("announcement_id", sa.Integer(), nullable=True),
        sa.Column("topic_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["partner_id"], ["partner.id"]),
        sa.ForeignKeyConstraint(["channel_id"], ["channel.id"]),
        sa.ForeignKeyConstraint(["announcement_id"], ["announcement.id"]),
        sa.ForeignKeyConstraint(["topic_id"], ["topic.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_engagement_event_partner_at", "engagement_event", ["partner_id", "at"])
    op.create_index("ix_engagement_event_at", "engagement_event", ["at"])
    union = "\nUNION ALL\n".join(_SOURCES)
    # Emoji fit `detail`: both are up to 100 characters. In time order, so ids follow time.
    op.execute(f"INSERT INTO engagement_event ({_COLUMNS})\n{union}\nORDER BY 1")


def downgrade() -> None:
    op.drop_index("ix_engagement_event_at", table_name="engagement_event")
    op.drop_index("ix_engagement_event_partner_at", table_name="engagement_event")
    op.drop_table("engagement_event")
