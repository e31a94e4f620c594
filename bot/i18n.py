"""Translated wording: gettext catalogs per reader language, chosen per reply through a contextvar.

Every partner-facing string in bot/messages.py is a `Message` (a `str` whose value is its English
message id) or a `Plural`. They translate when they are *used* — `format`, `str()`, an f-string,
`+` — through the catalog of the current reader language: the one `reading(<tag>)` set for this
task (the core does so for each partner request, and the delivery worker for each copy it sends;
admin replies read `PARTNERBOT_ADMIN_LANGUAGE`). Outside any `reading`, the reader is English and a
`Message` is the plain English text, so code that never heard of languages keeps working.

Admin-only strings stay plain `str` constants: the partner catalogs (bot/locale/<lang>/LC_MESSAGES/
messages.po, extracted by bot/i18n_catalog.py) do not carry them, and they read in English.

Plural forms come from the language's own rule through `ngettext` (German two forms, Japanese one).
Numbers in a `Plural` (`{n}`, partner-facing or admin-only) and those `number()` formats follow the
reader's locale (Babel); bot/formats.py writes dates and times the same way.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, SupportsIndex

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
ENGLISH = "en"

_READER: ContextVar[str] = ContextVar("partnerbot_reader_language", default=ENGLISH)


def reader() -> str:
    """The language tag the current reply or delivery is written for ("en" outside any `reading`)."""
    return _READER.get()


class reading:  # used as a function: `with reading("de"):`
    """Translate every `Message` and `Plural` used inside the block for `language` (a BCP 47 tag;
    None or "" → English). Gives the tag in effect. A class rather than a @contextmanager generator:
    every delivered copy is rendered inside one, and a generator costs several times more."""

    __slots__ = ("_language", "_token")

    def __init__(self, language: str | None) -> None:
        self._language = language or ENGLISH

    def __enter__(self) -> str:
        self._token = _READER.set(self._language)
        return self._language

    def __exit__(self, *_: object) -> None:
        _READER.reset(self._token)


def locale_of(language: str) -> Locale | None:
    """Babel's locale for a BCP 47 tag (`de-AT`, `pt_BR`, `ja`), or None when it is no tag Babel knows."""
    try:
        return Locale.parse(language.strip().replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return None


def normalised(tag: str) -> str | None:
    """A BCP 47 tag as stored (`de-AT` → `de-at`, `pt_BR` → `pt-br`), or None when Babel knows no
    such language."""
    word = tag.strip()
    if not word or locale_of(word) is None:
        return None
    return word.replace("_", "-").lower()


def shipped_languages() -> tuple[str, ...]:
    """The languages partnerbot has a compiled catalog for, English (the message ids) included."""
    return (ENGLISH, *_catalog_dirs())


@lru_cache(maxsize=1)
def _catalog_dirs() -> tuple[str, ...]:
    if not LOCALE_DIR.is_dir():
        return ()
    found = (p.name for p in LOCALE_DIR.iterdir() if (p / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file())
    return tuple(sorted(found))


@lru_cache(maxsize=256)
def catalog_language(language: str | None) -> str:
    """The shipped catalog a reader of `language` gets: `de-AT` → `de`, `pt-BR` → `en` (none shipped).
    Cached (the shipped catalogs do not change while the process runs): every `Message` used asks
    it, and parsing the tag with Babel each time was a twentieth of a fan-out's CPU."""
    locale = locale_of(language or "")
    if locale is None:
        return ENGLISH
    shipped = shipped_languages()
    for candidate in (str(locale), locale.language):
        if candidate in shipped:
            return candidate
    return ENGLISH


def has_catalog(language: str | None) -> bool:
    """Whether replies to a reader of `language` are translated (English always is)."""
    locale = locale_of(language or "")
    return locale is not None and (locale.language == ENGLISH or catalog_language(language) != ENGLISH)


@lru_cache(maxsize=32)
def _translations(language: str) -> NullTranslations:
    if language == ENGLISH:
        return NullTranslations()
    return Translations.load(str(LOCALE_DIR), [language], domain=DOMAIN)


def catalog(language: str | None = None) -> NullTranslations:
    """The gettext catalog for `language` (default: the current reader's)."""
    return _translations(catalog_language(reader() if language is None else language))


def gettext(message: str) -> str:
    """`message` (an English message id) in the current reader's language."""
    return str(catalog().gettext(str.__str__(message)))


def translation(message: str, language: str) -> str | None:
    """`message` (an English message id) in `language`, or None when partnerbot has no wording for it
    in that language (no catalog, English, or an id the catalog lacks): for platforms that show
    their own fallback, like Discord's command descriptions."""
    shipped = catalog_language(language)
    if shipped == ENGLISH:
        return None
    translated = str(_translations(shipped).gettext(str.__str__(message)))
    return translated if translated != message else None


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of the message for `count` in the reader's language: `ngettext("channel", "channels", 2)`."""
    return str(catalog().ngettext(singular, plural, count))


def number(value: float) -> str:
    """A number as the reader writes it: 1,234 in English, 1.234 in German."""
    locale = locale_of(reader()) or Locale.parse(ENGLISH)
    return str(format_decimal(value, locale=locale))


def _words_locale() -> Locale:
    """The locale of the words around a name or a date: the reader's catalog language (a reader of a
    language partnerbot has no wording in reads English sentences, so English names in them)."""
    return Locale.parse(catalog_language(reader()))


def language_name(tag: str) -> str:
    """A language's name in the reader's language: `de` → "German" for English readers, "Deutsch" for
    German ones; the tag itself when Babel has no name for it."""
    locale = locale_of(tag)
    name = locale.get_display_name(_words_locale()) if locale is not None else None
    return str(name) if name else tag


def long_date(day: date) -> str:
    """A date written out for the reader: "Mittwoch, 25. November 2026", "2026年11月25日水曜日"."""
    return str(format_date(day, format="full", locale=_words_locale()))


def weekday_name(index: int) -> str:
    """Monday (0) … Sunday (6) in the reader's language."""
    return str(_words_locale().days["format"]["wide"][index])


class Message(str):
    """A partner-facing string: its value is the English message id; it is written in the reader's
    language wherever it is used (`format`, `str()`, f-strings, `+`). Comparisons and hashing use the
    English id, so tables keyed by it and tests that read English keep working."""

    __slots__ = ()

    def __str__(self) -> str:
        return gettext(self)

    def __format__(self, spec: str) -> str:
        return format(gettext(self), spec)

    def format(self, *args: object, **kwargs: object) -> str:
        return gettext(self).format(*args, **kwargs)

    def format_map(self, mapping: Any) -> str:
        return gettext(self).format_map(mapping)

    def __add__(self, other: str) -> str:
        return gettext(self) + str(other)

    def __radd__(self, other: str) -> str:
        return str(other) + gettext(self)

    def __mul__(self, n: SupportsIndex) -> str:
        return gettext(self) * n

    def strip(self, chars: str | None = None) -> str:
        return gettext(self).strip(chars)

    def splitlines(self, keepends: bool = False) -> list[str]:
        return gettext(self).splitlines(keepends)


def text(value: str) -> str:
    """A plain `str` of `value` in the reader's language: for a label that goes into a payload as it is
    (JSON encoders and `str.join` read a `str` subclass's English value, not its translation)."""
    return str(value) if isinstance(value, Message) else value


@dataclass(frozen=True, slots=True)
class Plural:
    """A message whose words depend on a number: `{n}` in either form is the number itself.

    `CHANNELS(3)` → "3 channels"; other `{names}` are filled from keyword arguments. `partner=True`
    puts it in the partner catalogs: it is then written in the reader's language with that
    language's plural rule; otherwise it is admin-only English.
    """

    singular: str
    plural: str
    partner: bool = False

    def __call__(self, n: int, **values: Any) -> str:
        if self.partner:
            form = ngettext(self.singular, self.plural, n)
            return form.format(n=number(n), **values)
        form = self.singular if n == 1 else self.plural
        return form.format(n=number(n), **values)


def partner_plural(singular: str, plural: str) -> Plural:
    """A partner-facing `Plural` (in the partner catalogs)."""
    return Plural(singular, plural, partner=True)
