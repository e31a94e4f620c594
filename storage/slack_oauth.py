"""Slack OAuth distribution in partnerbot's database: slack_sdk's installation and OAuth state stores
over our engine (tables from migration 0002). The Slack adapter receives them through slack_sdk's
own interfaces (`AsyncInstallationStore`, `AsyncOAuthStateStore`) and never sees the engine.

Tokens are encrypted at rest (migration 0012): `EncryptedInstallationStore` is slack_sdk's own store
with every bot/user token and refresh token Fernet-encrypted on the way in and decrypted on the way
out, under the keys of PARTNERBOT_SECRET_KEY (the first encrypts, all decrypt, so keys can rotate).
A token stored before encryption was turned on is still read as it is; `encrypt_tokens` rewrites it."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Literal, TypeVar

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import READ_ONLY

# The columns holding secrets, per table of slack_sdk's store (its default table names).
TOKEN_COLUMNS = {
    "slack_installations": ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token"),
    "slack_bots": ("bot_token", "bot_refresh_token"),
}
# Every Fernet token starts with its version byte 0x80 and a timestamp whose high bytes are zero
# (https://github.com/fernet/spec/blob/master/Spec.md); no Slack token (xoxb-, xoxp-, xoxe-) does.
FERNET_PREFIX = "gAAAAA"
KEY_HELP = (
    'make one with `python -c "from cryptography.fernet import Fernet; '
    'print(Fernet.generate_key().decode())"`'
)

Model = TypeVar("Model", Installation, Bot)
Rewrite = Literal["encrypt", "rotate", "decrypt"]


class SecretKeyError(ValueError):
    """PARTNERBOT_SECRET_KEY is missing, malformed, or does not open a stored token."""


class TokenCipher:
    """Fernet over the comma-separated keys of PARTNERBOT_SECRET_KEY: the first encrypts, all decrypt."""

    def __init__(self, keys: str) -> None:
        parts = [k.strip() for k in keys.split(",") if k.strip()]
        if not parts:
            raise SecretKeyError(f"PARTNERBOT_SECRET_KEY is not set; {KEY_HELP}")
        fernets = []
        for number, key in enumerate(parts, 1):
            try:
                fernets.append(Fernet(key))
            except ValueError as exc:
                raise SecretKeyError(
                    f"key {number} of PARTNERBOT_SECRET_KEY is not a Fernet key (32 url-safe base64 "
                    f"bytes); {KEY_HELP}"
                ) from exc
        self._fernet = MultiFernet(fernets)

    def encrypt(self, value: str | None) -> str | None:
        return None if value is None else self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, value: str | None) -> str | None:
        if value is None or not is_encrypted(value):
            return value  # stored before encryption was turned on: read as it is
        try:
            return self._fernet.decrypt(value.encode()).decode()
        except InvalidToken as exc:
            raise SecretKeyError(
                "a stored Slack token does not open with any key of PARTNERBOT_SECRET_KEY; "
                "keep the key it was encrypted with in the list (new key first, old keys after)"
            ) from exc

    def rotate(self, value: str | None) -> str | None:
        """`value` encrypted under the first key (from plain text or from any key of the list)."""
        if value is None:
            return None
        if not is_encrypted(value):
            return self.encrypt(value)
        try:
            return self._fernet.rotate(value.encode()).decode()
        except InvalidToken as exc:
            raise SecretKeyError(
                "a stored Slack token does not open with any key of PARTNERBOT_SECRET_KEY"
            ) from exc


def is_encrypted(value: str) -> bool:
    return value.startswith(FERNET_PREFIX)


class EncryptedInstallationStore(AsyncSQLAlchemyInstallationStore):
    """slack_sdk's SQLAlchemy installation store, with the tokens encrypted in the database."""

    def __init__(self, *, client_id: str, engine: AsyncEngine, cipher: TokenCipher) -> None:
        super().__init__(client_id=client_id, engine=engine)
        self.cipher = cipher

    def _sealed(self, model: Model) -> Model:
        sealed = copy.copy(model)  # the caller's object keeps its plain tokens
        for name in _token_attributes(sealed):
            value = getattr(sealed, name)
            if value is not None and not is_encrypted(value):
                setattr(sealed, name, self.cipher.encrypt(value))
        return sealed

    def _opened(self, model: Model | None) -> Model | None:
        if model is not None:
            for name in _token_attributes(model):
                setattr(model, name, self.cipher.decrypt(getattr(model, name)))
        return model

    async def async_save(self, installation: Installation) -> None:
        # The parent saves the bot row through our `async_save_bot`, from the sealed copy: `_sealed`
        # leaves a token that is already sealed as it is, so each is encrypted once.
        await super().async_save(self._sealed(installation))

    async def async_save_bot(self, bot: Bot) -> None:
        await super().async_save_bot(self._sealed(bot))

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        found = await super().async_find_bot(
            enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=is_enterprise_install
        )
        return self._opened(found)

    async def async_find_bot_tokens(self, team_ids: Sequence[str]) -> dict[str, str]:
        """For each of `team_ids` that has a bot, its token as `async_find_bot(enterprise_id=None,
        team_id=…)` finds it (the latest installed bot row with a token), in one query: the Sender
        looks up the workspaces a fan-out meets together (adapters/slack/sender.py)."""
        c = self.bots.c
        query = (
            sa.select(c.team_id, c.bot_token)
            .where(
                c.client_id == self.client_id,
                c.enterprise_id.is_(None),
                c.team_id.in_(sa.bindparam("b_teams", expanding=True)),
                c.bot_token.is_not(None),
            )
            .order_by(c.installed_at, c.id)  # the latest row of each team is read last and kept
        )
        tokens: dict[str, str] = {}
        async with self.engine.connect() as conn:
            for team, token in await conn.execute(query, {"b_teams": list(set(team_ids))}):
                tokens[team] = token
        opened = {team: self.cipher.decrypt(token) for team, token in tokens.items()}
        return {team: token for team, token in opened.items() if token is not None}

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        # The parent compares the row's bot token with the latest bot's (opened by our async_find_bot);
        # a sealed token never equals it, so it takes the latest bot's fields: the bot it would pick.
        found = await super().async_find_installation(
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )
        return self._opened(found)


def _token_attributes(model: Installation | Bot) -> tuple[str, ...]:
    if isinstance(model, Installation):
        return TOKEN_COLUMNS["slack_installations"]
    return TOKEN_COLUMNS["slack_bots"]


def slack_installation_store(
    engine: AsyncEngine, *, client_id: str, cipher: TokenCipher, read_only: bool = False
) -> EncryptedInstallationStore:
    """Each workspace's installation (its bot token, encrypted) for the app `client_id`.

    `read_only`: for the Sender's token look-ups, which only read. slack_sdk's store reads through
    `engine.connect()`, which on SQLite starts `BEGIN IMMEDIATE` and so takes the write lock: a
    fan-out over many workspaces queued its look-ups behind each other and behind the group
    commit. Read-only, they start deferred and never wait for a writer (storage/engine.py); a
    write through such a store is refused."""
    if read_only:
        engine = engine.execution_options(**{READ_ONLY: True})
    return EncryptedInstallationStore(client_id=client_id, engine=engine, cipher=cipher)


def slack_state_store(engine: AsyncEngine, *, expiration_seconds: int) -> AsyncSQLAlchemyOAuthStateStore:
    """The OAuth `state` values handed out by /slack/install, valid for `expiration_seconds`."""
    return AsyncSQLAlchemyOAuthStateStore(expiration_seconds=expiration_seconds, engine=engine)


def rewrite_tokens(connection: Connection, cipher: TokenCipher, *, mode: Rewrite = "encrypt") -> int:
    """Rewrite the tokens in slack_sdk's tables: `encrypt` the plain ones (checking that the sealed ones
    open), `rotate` every one to the first key (plain ones encrypted too), or `decrypt` every one (a
    downgrade); a token no key opens raises SecretKeyError and changes nothing. Returns how many rows changed.
    Synchronous: migrations call it as it is, the async callers through `AsyncConnection.run_sync`."""
    inspector = sa.inspect(connection)
    changed = 0
    for table_name, columns in TOKEN_COLUMNS.items():
        if not inspector.has_table(table_name):
            continue
        table = sa.table(table_name, sa.column("id"), *(sa.column(c) for c in columns))
        for row in connection.execute(sa.select(table)).mappings().all():
            values = {c: _rewritten(cipher, row[c], mode) for c in columns if row[c] is not None}
            values = {c: v for c, v in values.items() if v != row[c]}
            if values:
                connection.execute(sa.update(table).where(table.c.id == row["id"]).values(**values))
                changed += 1
    return changed


def _rewritten(cipher: TokenCipher, value: str, mode: Rewrite) -> str | None:
    if mode == "decrypt":
        return cipher.decrypt(value)
    if mode == "rotate":
        return cipher.rotate(value)
    if is_encrypted(value):
        cipher.decrypt(value)  # a key that no longer opens it is refused now, not at the next request
        return value
    return cipher.encrypt(value)


async def rewrite_stored_tokens(
    engine: AsyncEngine, cipher: TokenCipher, *, mode: Rewrite = "encrypt"
) -> int:
    """`rewrite_tokens` in one transaction on `engine`."""
    async with engine.begin() as conn:
        return await conn.run_sync(lambda sync: rewrite_tokens(sync, cipher, mode=mode))
