"""The known values of a partner's tier, type, region and language, checked in one place.

Tiers, types and regions come from the settings (`PARTNERBOT_TIERS`, `PARTNERBOT_TYPES`,
`PARTNERBOT_REGIONS`) plus every value the roster already holds, so an upgrade never makes existing
partners invalid. Languages are BCP 47 tags, checked with `langcodes`, and kept as they are stored
today: in their standard form (`eng` → `en`, `en_US` → `en-us`), lower-cased, because targeting
compares them as stored.

Every input path (the chat grammar's commands, the Slack modal, Discord options, the CLI, CSV rows)
goes through `Vocabulary.check`, so an unknown value is refused the same way everywhere, with a
did-you-mean and the accepted values, before anything is created.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import langcodes

from bot import messages as m
from bot.domain.announcements import Audience
from bot.lexer import closest
from bot.ports.directory import DirectoryStore
from bot.settings import CoreSettings

KEYS = ("tier", "type", "region", "language")
# Offered as suggestions for a language no partner speaks yet (a did-you-mean needs something).
_COMMON_LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "pt-br", "nl", "pl", "sv", "ja", "ko", "zh")


class UnknownValue(ValueError):
    """A value outside the vocabulary; `message` is the refusal, phrased for the person who typed it."""

    def __init__(self, message: str, *, key: str, value: str) -> None:
        super().__init__(message)
        self.message = message
        self.key = key
        self.value = value


@dataclass(frozen=True, slots=True)
class Vocabulary:
    tiers: tuple[str, ...]
    types: tuple[str, ...]
    regions: tuple[str, ...]
    # Values the roster already holds, per key (lower-cased), accepted alongside the configured ones.
    held: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, settings: CoreSettings, held: Mapping[str, Iterable[str]] | None = None) -> Vocabulary:
        roster = {key: frozenset(v.lower() for v in (held or {}).get(key, ()) if v) for key in KEYS}
        return cls(tuple(settings.tiers), tuple(settings.types), tuple(settings.regions), roster)

    def accepted(self, key: str) -> tuple[str, ...]:
        """What `key` accepts, the configured values first (in their order), then the roster's own."""
        configured = {"tier": self.tiers, "type": self.types, "region": self.regions}.get(key, ())
        extra = sorted(self.held.get(key, frozenset()) - set(configured))
        return (*configured, *extra)

    def options(self) -> dict[str, tuple[str, ...]]:
        """What an audience picker offers, per key (`KEYS`): exactly the values `check` accepts."""
        return {key: self.accepted(key) for key in KEYS}

    def check(self, key: str, value: str) -> str:
        """`value` as stored (lower case; a language in its standard form), or raise UnknownValue."""
        word = value.strip()
        if key == "language":
            return self._language(word)
        lowered = word.lower()
        accepted = self.accepted(key)
        if lowered in accepted:
            return lowered
        raise UnknownValue(
            m.UNKNOWN_VALUE.format(
                key=key,
                value=word[:40],
                did_you_mean=_did_you_mean(lowered, accepted),
                what=m.VOCABULARY_WHAT[key],
                accepted=", ".join(accepted),
            ),
            key=key,
            value=word,
        )

    def check_optional(self, key: str, value: str) -> str:
        """Like `check`, with "" (not given) staying ""."""
        return self.check(key, value) if value.strip() else ""

    def check_audience(self, audience: Audience) -> Audience:
        """The audience with every value checked (and languages standardised); raises UnknownValue."""
        return Audience(
            tiers=frozenset(self.check("tier", v) for v in sorted(audience.tiers)),
            types=frozenset(self.check("type", v) for v in sorted(audience.types)),
            regions=frozenset(self.check("region", v) for v in sorted(audience.regions)),
            languages=frozenset(self.check("language", v) for v in sorted(audience.languages)),
        )

    def _language(self, word: str) -> str:
        held = self.held.get("language", frozenset())
        if word.lower() in held:
            return word.lower()
        if word and langcodes.tag_is_valid(word):
            return str(langcodes.standardize_tag(word)).lower()
        known = sorted(held | set(_COMMON_LANGUAGES))
        raise UnknownValue(
            m.UNKNOWN_LANGUAGE.format(value=word[:40], did_you_mean=_did_you_mean(word.lower(), known)),
            key="language",
            value=word,
        )


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    suggestion = closest(word, choices)
    return m.DID_YOU_MEAN.format(suggestion=suggestion) + " " if suggestion else ". "


async def load(directory: DirectoryStore, settings: CoreSettings) -> Vocabulary:
    """The vocabulary as it stands: the settings plus the values the roster holds now."""
    return Vocabulary.build(settings, await directory.attribute_values())
