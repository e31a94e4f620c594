"""news search at 100,000 announcements (issue 18): covering indexes and inline tsvectors

- ix_search_document_audience (announcement_id and the four audience lists) and ix_announcement_found
  (id, status, sent_at, created_at): a search checks the audience and the status of up to 2,000
  candidates; from these small indexes instead of the wide rows that also hold the texts.
- PostgreSQL: `toast_tuple_target = 8160` on search_document. A row with its folded text and its
  tsvector is over 2 kB, so by default the tsvector went to the TOAST table, and every row a search
  tested or ranked cost a TOAST index lookup; now it stays in the row (up to 8 kB). The existing rows
  are rewritten so that the setting applies to them too.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AUDIENCE = ["announcement_id", "tiers", "types", "regions", "languages"]
_FOUND = ["id", "status", "sent_at", "created_at"]


def upgrade() -> None:
    op.create_index("ix_search_document_audience", "search_document", _AUDIENCE)
    op.create_index("ix_announcement_found", "announcement", _FOUND)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE search_document SET (toast_tuple_target = 8160)")
        op.execute("UPDATE search_document SET cjk = cjk")  # rewritten: tsvectors move back in line


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE search_document RESET (toast_tuple_target)")
    op.drop_index("ix_announcement_found", table_name="announcement")
    op.drop_index("ix_search_document_audience", table_name="search_document")
