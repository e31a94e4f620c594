"""The language a reader gets (bot/services/languages.py) and where it comes from."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.i18n import has_catalog


class LanguageSource(StrEnum):
    CHANNEL = "channel"
    PARTNER = "partner"
    PLATFORM = "platform"
    DEFAULT = "default"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class ReaderLanguage:
    """The language tag a reader gets and where it comes from; `translated`: partnerbot has wording
    in it (else its replies are English; announcements still use a variant in that language)."""

    tag: str
    source: LanguageSource

    @property
    def translated(self) -> bool:
        return has_catalog(self.tag)
