"""Saved audiences (`audience save|list|show|delete`, `broadcast audience:<name>`)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.domain.audiences import AudienceUser, SavedAudience


class SavedAudienceStore(Protocol):
    """Implemented by `storage.repositories.SavedAudienceRepository`."""

    async def get(self, name: str) -> SavedAudience | None: ...

    async def all(self) -> list[SavedAudience]:
        """Every saved audience, by name."""
        ...

    async def save(self, audience: SavedAudience, *, now: datetime) -> SavedAudience | None:
        """Create or replace the audience named `audience.name`; the one it replaced, if any."""
        ...

    async def delete(self, name: str) -> list[AudienceUser] | None:
        """Delete it unless an open draft refers to it: None when there was no such audience, the
        drafts that use it (nothing deleted) when there are some, an empty list when it was deleted.
        Checked and deleted in one transaction."""
        ...

    async def users(self, name: str) -> list[AudienceUser]:
        """The open drafts that refer to the audience `name`."""
        ...
