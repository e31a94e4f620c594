"""news search at 100,000 announcements (issue 18): an index of adjacent word pairs for phrases

PostgreSQL's GIN index over `search_vector` keeps no positions: for a phrase it returns every
announcement holding all of its words, and each is read to check their order — 51,000 rows for a
phrase of two common words that 539 hold. `search_pairs(tsvector)` lists the lexemes that stand next
to each other in a tsvector ('deal registration' for positions p and p + 1, exactly what `<->` tests),
and a GIN index over it finds the announcements holding a phrase's pairs directly; the phrase itself
is still checked on them, so results are unchanged. An expression index, not a column: the pairs are
only ever looked up, never read back, and the rows stay as narrow as they are. SQLite's FTS5 keeps
positions and needs nothing.

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0039"
down_revision: str | None = "0038"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# IMMUTABLE (an index may use it): it reads nothing but its argument.
_FUNCTION = """
CREATE FUNCTION search_pairs(v tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT array_to_tsvector(coalesce(array_agg(DISTINCT a.lexeme || ' ' || b.lexeme), '{}'))
  FROM (SELECT lexeme, unnest(positions) AS p FROM unnest(v)) AS a
  JOIN (SELECT lexeme, unnest(positions) AS p FROM unnest(v)) AS b ON b.p = a.p + 1
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_FUNCTION)
        op.execute(
            "CREATE INDEX search_vector_pairs ON search_document USING gin (search_pairs(search_vector))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX search_vector_pairs")
        op.execute("DROP FUNCTION search_pairs(tsvector)")
