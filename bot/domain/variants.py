"""Translated announcements: an announcement's default text and its variants per language.

Languages are BCP 47 tags in the form the roster stores them (bot/vocabulary.py: standard form,
lower-cased, `de-at`). A reader gets the variant of its own tag, else of each shorter tag in turn
(`de-at` → `de`), else the default text, which is written in the vendor's default language
(`PARTNERBOT_DEFAULT_LANGUAGE`).

A machine draft (`translate <id> <lang> draft`, written by the optional Translator port) is kept and
shown but never read: `pick` passes over it until an admin accepts it or writes their own text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Variant:
    """The text of an announcement in one language; `revision` counts its replacements (1 when new)."""

    language: str
    title: str
    body: str
    revision: int = 1
    updated_at: datetime | None = None
    machine: bool = False  # a machine draft: shown for review, never sent


@dataclass(frozen=True, slots=True)
class MachineText:
    """What a Translator returned: the title and body in the target language."""

    title: str
    body: str


@dataclass(frozen=True, slots=True)
class TranslatorFailure:
    """A Translator that could not translate: `reason` is one line for the admin (no secret in it)."""

    reason: str


def fallbacks(language: str) -> tuple[str, ...]:
    """The tags a reader of `language` accepts, best first: `zh-hant-tw` → zh-hant-tw, zh-hant, zh."""
    parts = [part for part in language.lower().split("-") if part]
    return tuple("-".join(parts[:n]) for n in range(len(parts), 0, -1))


def pick(variants: Iterable[Variant], language: str) -> Variant | None:
    """The variant a reader of `language` gets, or None: the default text. Machine drafts are never
    read: their readers get the next fallback."""
    by_language = {variant.language: variant for variant in variants if not variant.machine}
    for tag in fallbacks(language):
        if tag in by_language:
            return by_language[tag]
    return None


def reader_language(stored: str | None, default: str) -> str:
    """The language a delivery is read in: its partner's (as the delivery row keeps it), else the
    vendor default (no partner, or a partner with no language)."""
    return (stored or default).lower()


def same_language(language: str, default: str) -> bool:
    """Whether readers of `language` read the default text by right (`en-gb` with default `en`): the
    preview does not count them as missing a translation."""
    return bool(set(fallbacks(language)) & set(fallbacks(default)))
