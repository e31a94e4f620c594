"""One-time dashboard sign-in links: created hashed, consumed at most once by one atomic UPDATE."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import col

from bot.domain.refs import Platform, UserRef
from storage.repositories.base import Repository
from storage.tables import SignInLinkRow


class SignInLinkRepository(Repository):
    async def create(self, *, token_hash: str, admin: UserRef, now: datetime, expires: datetime) -> None:
        async with self._sessions.begin() as session:
            session.add(
                SignInLinkRow(
                    token_hash=token_hash,
                    platform=admin.platform.value,
                    workspace_id=admin.workspace,
                    user_id=admin.user,
                    user_name=admin.display_name,
                    created_at=now,
                    expires_at=expires,
                )
            )

    async def consume(self, *, token_hash: str, now: datetime) -> UserRef | None:
        # One statement: of two requests racing with the same link, exactly one gets a row back.
        stmt = (
            update(SignInLinkRow)
            .where(
                col(SignInLinkRow.token_hash) == token_hash,
                col(SignInLinkRow.used_at).is_(None),
                col(SignInLinkRow.expires_at) > now,
            )
            .values(used_at=now)
            .returning(
                col(SignInLinkRow.platform),
                col(SignInLinkRow.workspace_id),
                col(SignInLinkRow.user_id),
                col(SignInLinkRow.user_name),
            )
        )
        async with self._sessions.begin() as session:
            row = (await session.exec(stmt)).first()
        if row is None:
            return None
        return UserRef(Platform(row[0]), row[1], row[2], row[3])
