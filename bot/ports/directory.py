"""The partner directory: partners, their channels, roster imports and join codes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from bot.domain.directory import (
    Channel,
    DeliveryMode,
    ImportRow,
    InviteOutcome,
    Partner,
    PartnerCard,
    PartnerFilter,
    PartnerProfile,
)
from bot.domain.engagement import SendingLoad
from bot.domain.refs import ChannelRef


class DirectoryStore(Protocol):
    """Implemented by `storage.repositories.DirectoryRepository`."""

    async def partner(self, partner_id: int) -> Partner | None: ...

    async def partners(self, where: PartnerFilter | None = None) -> list[tuple[Partner, int]]:
        """Every partner not removed (matching `where`) with its number of active channels, by name."""
        ...

    async def attribute_values(self) -> dict[str, set[str]]:
        """The distinct values of `tier`, `type`, `region` and `language` the roster holds, lower-cased:
        they stay valid whatever the configured vocabulary says (bot/vocabulary.py)."""
        ...

    async def partner_by_name(self, name: str) -> Partner | None:
        """The partner called `name` (removed ones too): exactly, else ignoring case."""
        ...

    async def partner_names(self) -> list[str]:
        """Names of the partners not removed."""
        ...

    async def partner_card(self, partner_id: int) -> PartnerCard | None: ...

    async def partner_load(self, partner_id: int, *, since: datetime, until: datetime) -> SendingLoad:
        """Within (since, until] (the last N days up to and including now): announcements delivered
        (sent) to the partner's channels, and its engagement events, proactive and reactive; `days`
        is the window's length in whole days."""
        ...

    async def update_partner(self, partner_id: int, values: Mapping[str, str]) -> Partner | None:
        """Set some of `tier`, `type`, `region`, `language`, `timezone` (already validated)."""
        ...

    async def remove_partner(self, partner_id: int, *, now: datetime) -> list[int] | None:
        """Mark removed, switch its channels off, void unused join codes; the channel ids switched off,
        or None when there is no such partner or it was removed already."""
        ...

    async def existing_partner_names(self, names: Sequence[str]) -> set[str]: ...

    async def import_rows(
        self, rows: Sequence[ImportRow], *, now: datetime, update_existing: bool = False
    ) -> tuple[int, int, int]:
        """Insert (with `update_existing`, or update) partners and their channels, and subscribe the
        channels to each row's topics, in one transaction: all rows or none.
        Returns (partners created, partners updated, channels)."""
        ...

    async def channel(self, ref: ChannelRef) -> Channel | None: ...

    async def languages(self, ref: ChannelRef) -> tuple[str | None, str | None]:
        """The channel's own language and its partner's, in one read (None: unset, or no such row)."""
        ...

    async def ensure_channel(self, ref: ChannelRef, *, name: str, now: datetime) -> Channel:
        """The channel a command came from, registered on first use and re-activated if it was off."""
        ...

    # Each setter records a `settings_changed` engagement event by `user` in its transaction.
    async def set_mode(
        self, channel_id: int, mode: DeliveryMode, *, user: str | None, now: datetime
    ) -> None: ...

    async def set_timezone(
        self, channel_id: int, timezone: str, *, user: str | None, now: datetime
    ) -> None: ...

    async def set_quiet_hours(
        self, channel_id: int, quiet: str | None, *, user: str | None, now: datetime
    ) -> None:
        """ "HH:MM-HH:MM", "off" (none, whatever the vendor default), or None (the vendor default)."""
        ...

    async def set_language(
        self, channel_id: int, language: str | None, *, user: str | None, now: datetime
    ) -> None:
        """The channel's reply and delivery language (a BCP 47 tag, lower case), or None: the partner's."""
        ...

    async def set_weekly_cap(
        self, channel_id: int, cap: int | None, *, user: str | None, now: datetime
    ) -> None:
        """1..50 non-urgent announcements per rolling week, 0 (none, whatever the vendor default), or
        None (the vendor default)."""
        ...

    async def deactivate(self, channel_ids: Sequence[int], *, reason: str) -> int: ...

    async def deactivate_workspace(self, platform: str, workspace: str, *, reason: str) -> int:
        """The bot was uninstalled from a workspace or removed from a server."""
        ...

    async def create_invite(
        self,
        profile: PartnerProfile,
        *,
        code: str,
        created_by: str,
        expires_at: datetime,
        now: datetime,
        restore: bool = False,
    ) -> Partner:
        """A one-time code linking a channel to the partner `profile` names, created if new. An existing
        partner is left as it is, unless `restore` (a removed one invited again takes `profile`)."""
        ...

    async def redeem_invite(
        self, code: str, *, channel_id: int, now: datetime, user: str | None = None
    ) -> tuple[InviteOutcome, Partner | None]:
        """Link the channel to the code's partner; a `joined` engagement event by `user` when it does."""
        ...
