"""The language partnerbot speaks to a reader (issue 17): a channel's setting, else its partner's
language, else the platform's locale for the user (Discord), else PARTNERBOT_DEFAULT_LANGUAGE.

Admin channels read PARTNERBOT_ADMIN_LANGUAGE. `settings language <tag>|off` sets a channel's own.
Replies in a language without a shipped catalog fall back to English (`has_catalog`), and the
announcement variant a channel receives follows the same order (the delivery keeps the language).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.commands import SetLanguage
from bot.domain.conversation import Invocation
from bot.domain.directory import Channel, Partner
from bot.domain.languages import LanguageSource, ReaderLanguage
from bot.domain.refs import ChannelRef
from bot.i18n import normalised
from bot.ports.clock import Clock
from bot.results import LanguageSet
from bot.settings import CoreSettings


def resolve(*, channel: Channel | None, partner: Partner | None, locale: str, default: str) -> ReaderLanguage:
    """The reader's language by the order above; a platform locale Babel does not know is skipped."""
    return resolve_tags(
        channel=channel.language if channel is not None else None,
        partner=partner.language if partner is not None else None,
        locale=locale,
        default=default,
    )


def resolve_tags(*, channel: str | None, partner: str | None, locale: str, default: str) -> ReaderLanguage:
    """`resolve` from the two stored tags (what `LanguageDirectory.languages` reads in one go)."""
    if channel:
        return ReaderLanguage(channel, LanguageSource.CHANNEL)
    if partner:
        return ReaderLanguage(partner, LanguageSource.PARTNER)
    platform = normalised(locale) if locale else None
    if platform:
        return ReaderLanguage(platform, LanguageSource.PLATFORM)
    return ReaderLanguage(default, LanguageSource.DEFAULT)


class LanguageDirectory(Protocol):
    async def languages(self, ref: ChannelRef) -> tuple[str | None, str | None]: ...

    async def set_language(
        self, channel_id: int, language: str | None, *, user: str | None, now: datetime
    ) -> None: ...


class Languages:
    """Who reads which language (the core sets `bot.i18n.reading` from it for every reply)."""

    def __init__(self, directory: LanguageDirectory, clock: Clock, settings: CoreSettings) -> None:
        self._directory = directory
        self._clock = clock
        self._settings = settings

    async def of(self, inv: Invocation) -> ReaderLanguage:
        if self._settings.is_admin_channel(inv.channel):
            return ReaderLanguage(self._settings.admin_language, LanguageSource.ADMIN)
        return await self.of_channel(inv.channel, locale=inv.locale)

    async def of_channel(self, ref: ChannelRef, *, locale: str = "") -> ReaderLanguage:
        if self._settings.is_admin_channel(ref):
            return ReaderLanguage(self._settings.admin_language, LanguageSource.ADMIN)
        channel, partner = await self._directory.languages(ref)
        return resolve_tags(
            channel=channel, partner=partner, locale=locale, default=self._settings.default_language
        )

    async def set(self, inv: Invocation, cmd: SetLanguage, channel: Channel) -> LanguageSet:
        """`settings language <tag>|off` in `channel` (registered by the caller)."""
        now = self._clock.now()
        await self._directory.set_language(channel.id, cmd.language, user=inv.user.user, now=now)
        return LanguageSet(cmd.language, await self.of_channel(inv.channel, locale=inv.locale))
