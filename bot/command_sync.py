"""The port for a platform's registered-command bookkeeping: what was last pushed, per scope.

Discord application commands are synced only when their definition changed (adapters/discord/sync.py
computes the digests); the digests live in partnerbot's database. Implemented by
`storage.repositories.CommandSyncRepository`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class CommandSyncStore(Protocol):
    """The digest of the command definitions last synced, per scope (e.g. `<app id>:global`)."""

    async def digests(self, prefix: str) -> dict[str, str]:
        """Every stored scope that starts with `prefix` (taken literally), with its digest."""
        ...

    async def record(self, scope: str, value: str, *, now: datetime) -> None:
        """`value` is now the digest of `scope` (inserted or replaced)."""
        ...

    async def forget(self, scope: str) -> None:
        """`scope` no longer has commands; a missing scope is fine."""
        ...
