"""Dates, times and numbers as the reader writes them (Babel, CLDR data), for every reply.

The reader is the one `bot.i18n.reading` set: a partner channel's language, or
`PARTNERBOT_ADMIN_LANGUAGE` in the admin channels. The locale follows the reader's own tag where
partnerbot has wording in that language (`de-AT` → Austrian German), and the catalog's language
otherwise: a `pt-BR` reader reads English sentences, so the dates in them are English too.

- `day`: the medium date — "Mar 3, 2026", "03.03.2026", "3 mars 2026", "2026/03/03".
- `clock`: the short time of day — "3:05 PM", "15:05".
- `moment`: both, in a time zone when given (the partner's local time), with the zone named.
- `long_day`: the full date of a digest's header — "Dienstag, 3. März 2026".
- `number`: a count or a score — "1,234", "1.234", "1 234".

Babel is a pure library (locale data and formatting, no I/O beyond its own data files, no global
state it changes), like the `gettext` machinery of bot/i18n.py: the core uses it directly and no
port stands between (docs/architecture.md, "Languages").
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo

from babel import Locale
from babel.dates import format_date, format_time, get_datetime_format

from bot.i18n import ENGLISH, catalog_language, locale_of, number, reader
from bot.timezones import zone_or

__all__ = ["clock", "day", "local_day", "long_day", "moment", "number", "reader_locale"]


def reader_locale() -> Locale:
    """The locale whose conventions the current reader's dates and numbers follow."""
    words = catalog_language(reader())
    own = locale_of(reader())
    if own is not None and own.language == Locale.parse(words).language:
        return own
    return Locale.parse(words or ENGLISH)


def day(value: date) -> str:
    """A date, medium length: "Mar 3, 2026" (en), "03.03.2026" (de), "2026/03/03" (ja)."""
    return str(format_date(value, format="medium", locale=reader_locale()))


def local_day(instant: datetime, zone_name: str) -> str:
    """The date `instant` (naive: UTC) falls on in the zone `zone_name` (the channel's clock; UTC if
    unknown), as `day` writes it: an announcement sent at 23:00 UTC is the next day in Tokyo."""
    _, where = zone_or(zone_name, "UTC")
    aware = instant if instant.tzinfo else instant.replace(tzinfo=UTC)
    return day(aware.astimezone(where).date())


def long_day(value: date) -> str:
    """A date written out with its weekday: "Tuesday, March 3, 2026", "Dienstag, 3. März 2026"."""
    return str(format_date(value, format="full", locale=reader_locale()))


def clock(value: time) -> str:
    """A time of day (a wall clock, no zone): "9:00 AM" (en), "09:00" (de), "9:00" (ja)."""
    return str(format_time(value, format="short", locale=reader_locale()))


def moment(instant: datetime, zone: tzinfo | None = None, *, zone_name: str | None = None) -> str:
    """An instant as a date and a time in `zone` (UTC when None), the zone named after it:
    "Mar 3, 2026, 4:05 PM Europe/Berlin", "03.03.2026, 16:05 Europe/Berlin", "Mar 3, 2026, 3:05 PM UTC".
    `zone_name` overrides the name shown (the IANA name the partner chose)."""
    where = zone or UTC
    local = instant.astimezone(where) if instant.tzinfo else instant.replace(tzinfo=UTC).astimezone(where)
    locale = reader_locale()
    pattern = str(get_datetime_format("medium", locale=locale))
    both = pattern.replace("{1}", day(local.date())).replace("{0}", clock(local.time())).replace("'", "")
    name = zone_name or (str(getattr(where, "key", "")) or ("UTC" if where is UTC else local.tzname() or ""))
    return f"{both} {name}".rstrip()
