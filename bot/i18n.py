"""Plural forms chosen by count, through gettext's `ngettext` (Babel's catalogs plug in here).

Messages with a count are written as a `Plural` pair in bot/messages.py, never with a bracketed plural ending.
Today there is one catalog, English, so `NullTranslations` picks the singular for 1 and the plural
otherwise; the translations issue loads a Babel catalog per language behind the same call, and the
language's own plural rule (Polish has three forms, Japanese one) then decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from babel.support import NullTranslations

_CATALOG = NullTranslations()


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of the message for `count`: `ngettext("channel", "channels", 2)` → "channels"."""
    return str(_CATALOG.ngettext(singular, plural, count))


@dataclass(frozen=True, slots=True)
class Plural:
    """A message whose words depend on a number: `{n}` in either form is the number itself.

    `CHANNELS(3)` → "3 channels"; other `{names}` are filled from keyword arguments.
    """

    singular: str
    plural: str

    def __call__(self, n: int, **values: Any) -> str:
        return ngettext(self.singular, self.plural, n).format(n=f"{n:,}", **values)
