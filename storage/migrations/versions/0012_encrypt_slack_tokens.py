"""encrypt slack tokens at rest (issue 13)

- The token columns of slack_sdk's `slack_installations` and `slack_bots` become TEXT: a Fernet token is
  about 1.4 times its plain text plus 73 characters, more than slack_sdk's VARCHAR(200) holds for a
  rotating (xoxe-) token. SQLite does not enforce the length and is left as it is.
- With PARTNERBOT_SECRET_KEY set at upgrade time, every stored token is encrypted under its first key.
  Without one (e.g. `partnerbot db upgrade` on a host without the key), the rows stay plain: a plain
  token is still read as it is, and `partnerbot run` in OAuth mode (which needs the key) encrypts any
  plain token left on each start. Downgrade decrypts with the key, if given; the columns stay TEXT.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

from storage.slack_oauth import TOKEN_COLUMNS, TokenCipher, rewrite_tokens

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _cipher() -> TokenCipher | None:
    keys = context.config.attributes.get("secret_key", "")  # set by storage.migrate from the Settings
    return TokenCipher(keys) if keys else None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        for table, columns in TOKEN_COLUMNS.items():
            for column in columns:
                op.alter_column(table, column, type_=sa.Text(), existing_type=sa.String(200))
    cipher = _cipher()
    if cipher is not None:
        rewrite_tokens(bind, cipher, mode="encrypt")


def downgrade() -> None:
    cipher = _cipher()
    if cipher is not None:
        rewrite_tokens(op.get_bind(), cipher, mode="decrypt")
