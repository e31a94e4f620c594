"""Partner roster import: validate every line of a CSV, report problems by line, import all or nothing."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import available_timezones

from bot import messages as m
from bot.domain.directory import ImportRow, PartnerProfile
from bot.domain.refs import ChannelRef, Platform
from bot.lexer import as_slug
from bot.ports.clock import Clock
from bot.ports.directory import DirectoryStore
from bot.ports.topics import TopicStore
from bot.settings import CoreSettings
from bot.vocabulary import UnknownValue, Vocabulary
from bot.vocabulary import load as load_vocabulary

REQUIRED = ("name", "tier", "type", "region", "language", "timezone", "platform", "channel_id")
# `topics`: slugs separated by spaces (commas and semicolons may be the file's delimiter).
OPTIONAL = ("workspace_id", "topics")
_DELIMITERS = ",;\t"
# The partner and channel tables' column widths.
MAX_NAME, MAX_LANGUAGE, MAX_ID = 200, 20, 64
# Slack conversation ids start with C (public), G (private) or D (DM); Discord ids are snowflakes.
_CHANNEL_ID = {
    Platform.SLACK: re.compile(r"^[CGD][A-Z0-9]{6,}$"),
    Platform.DISCORD: re.compile(r"^[0-9]{15,21}$"),
    Platform.LOCAL: re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$"),
}


@dataclass(frozen=True, slots=True)
class ImportReport:
    partners: int = 0  # created
    channels: int = 0
    errors: tuple[str, ...] = ()
    updated: int = 0  # existing partners updated (`--update`)

    @property
    def ok(self) -> bool:
        return not self.errors


def _dialect(text: str) -> str | None:
    """The delimiter of the file, from its first lines (csv.Sniffer); None when it can't tell."""
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        first = text.split("\n", 1)[0]
        # One column per line (or a header only): split by whatever the header holds.
        found = [d for d in _DELIMITERS if d in first]
        if not found:
            return ","  # a single column: the header check says what is missing
        return found[0] if len(found) == 1 else None


def parse_roster(text: str, vocabulary: Vocabulary | None = None) -> tuple[list[ImportRow], list[str]]:
    """Validate a roster CSV (comma-, semicolon- or tab-separated); returns the rows and, if any, the
    errors ("line N: …"). Tier, type, region and language go through `vocabulary` (by default the
    built-in one) like every other input path."""
    vocabulary = vocabulary or Vocabulary.build(CoreSettings.model_construct())
    text = text.lstrip("\ufeff")  # Excel writes a BOM
    delimiter = _dialect(text)
    if delimiter is None:
        return [], [
            "line 1: can't tell which character separates the columns: use commas, semicolons or tabs "
            "throughout, e.g. `name,tier,type,…`"
        ]
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        shown = {",": "commas", ";": "semicolons", "\t": "tabs"}.get(delimiter, repr(delimiter))
        hint = f"; it was read with {shown} between columns: use commas, semicolons or tabs throughout"
        return [], [f"line 1: the header lacks {', '.join(missing)} (needs: {', '.join(REQUIRED)}){hint}"]
    unknown = [h for h in header if h not in REQUIRED + OPTIONAL]
    if unknown:
        accepted = ", ".join(REQUIRED + OPTIONAL)
        return [], [m.UNKNOWN_COLUMNS(len(unknown), columns=", ".join(unknown), accepted=accepted)]
    reader.fieldnames = header
    rows: list[ImportRow] = []
    errors: list[str] = []
    zones = available_timezones()
    for index, raw in enumerate(reader, start=2):
        record = {k: (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(record.values()):
            continue  # blank line
        problems = _problems(record, zones)
        problems += _vocabulary_problems(record, vocabulary)
        if None in raw:
            problems.append("more values than columns")
        if problems:
            # One line per CSV line: its problems joined as clauses, without a full stop before a ";".
            errors.append(f"line {index}: " + "; ".join(p.removesuffix(".") for p in problems))
            continue
        rows.append(_to_row(index, record, vocabulary))
    errors += _duplicates(rows)
    if not rows and not errors:
        errors.append("the file has no partner rows")
    return rows, errors


def _problems(record: dict[str, str], zones: set[str]) -> list[str]:
    problems = [f"{column} is empty" for column in REQUIRED if not record.get(column)]
    if len(record.get("name", "")) > MAX_NAME:
        problems.append(f"name is longer than {MAX_NAME} characters")
    if len(record.get("language", "")) > MAX_LANGUAGE:
        problems.append(f"language is longer than {MAX_LANGUAGE} characters")
    if len(record.get("channel_id", "")) > MAX_ID or len(record.get("workspace_id", "")) > MAX_ID:
        problems.append(f"channel_id and workspace_id are at most {MAX_ID} characters")
    for slug in record.get("topics", "").split():
        if as_slug(slug) is None:
            problems.append(f"topic {slug!r} isn't a topic slug (separate several with spaces)")
    timezone = record.get("timezone", "")
    if timezone and timezone not in zones:
        problems.append(f"timezone {timezone!r} is not an IANA name like Europe/Berlin")
    platform = record.get("platform", "").lower()
    if platform and platform not in {p.value for p in Platform}:
        problems.append(f"platform {platform!r} must be slack or discord")
    elif (
        platform
        and record.get("channel_id")
        and not _CHANNEL_ID[Platform(platform)].match(record["channel_id"])
    ):
        problems.append(f"channel_id {record['channel_id']!r} is not a {platform} channel id")
    return problems


def _vocabulary_problems(record: dict[str, str], vocabulary: Vocabulary) -> list[str]:
    problems = []
    for column in ("tier", "type", "region", "language"):
        value = record.get(column, "")
        if not value:
            continue
        try:
            vocabulary.check(column, value)
        except UnknownValue as unknown:
            problems.append(unknown.message)
    return problems


def _to_row(line: int, record: dict[str, str], vocabulary: Vocabulary) -> ImportRow:
    profile = PartnerProfile(
        name=record["name"],
        tier=vocabulary.check("tier", record["tier"]),
        type=vocabulary.check("type", record["type"]),
        region=vocabulary.check("region", record["region"]),
        language=vocabulary.check("language", record["language"]),
        timezone=record["timezone"],
    )
    platform = Platform(record["platform"].lower())
    channel = ChannelRef(platform, record.get("workspace_id", ""), record["channel_id"])
    topics = tuple(dict.fromkeys(word.lower() for word in record.get("topics", "").split()))
    return ImportRow(line=line, partner=profile, channel=channel, topics=topics)


def _duplicates(rows: Iterable[ImportRow]) -> list[str]:
    errors: list[str] = []
    seen_channels: dict[str, int] = {}
    seen_names: dict[str, tuple[int, PartnerProfile]] = {}
    for row in rows:
        if row.channel is not None:
            key = row.channel.key()
            if key in seen_channels:
                errors.append(
                    f"line {row.line}: channel {row.channel.channel} is already on line {seen_channels[key]}"
                )
            seen_channels.setdefault(key, row.line)
        first = seen_names.get(row.partner.name)
        # The same partner may have several channels, but not two different profiles.
        # (Each row's topics are its channel's own, so they may differ.)
        if first and first[1] != row.partner:
            errors.append(f"line {row.line}: {row.partner.name!r} differs from its line {first[0]}")
        seen_names.setdefault(row.partner.name, (row.line, row.partner))
    return errors


@dataclass(frozen=True, slots=True)
class RosterPorts:
    """The ports RosterService uses (bot/core.py wires them)."""

    directory: DirectoryStore
    topics: TopicStore


class RosterService:
    def __init__(self, ports: RosterPorts, clock: Clock, settings: CoreSettings | None = None) -> None:
        self._stores = ports
        self._clock = clock
        self._settings = settings or CoreSettings.model_construct()

    async def import_csv(self, text: str, *, update: bool = False) -> ImportReport:
        """Import every row or none. Without `update` an existing partner name is an error; with it,
        the row updates that partner (a removed partner comes back). Topics must exist, not archived."""
        vocabulary = await load_vocabulary(self._stores.directory, self._settings)
        rows, errors = parse_roster(text, vocabulary)
        if errors and not rows:
            return ImportReport(errors=tuple(errors))
        errors += await self._topic_problems(rows)
        existing = await self._stores.directory.existing_partner_names(sorted({r.partner.name for r in rows}))
        if existing and not update:
            errors += [
                f"line {r.line}: a partner named {r.partner.name!r} already exists "
                "(add --update to update existing partners)"
                for r in rows
                if r.partner.name in existing
            ]
        if errors:
            return ImportReport(errors=tuple(sorted(errors, key=_line_number)))
        created, updated, channels = await self._stores.directory.import_rows(
            rows, now=self._clock.now(), update_existing=update
        )
        return ImportReport(partners=created, channels=channels, updated=updated)

    async def _topic_problems(self, rows: list[ImportRow]) -> list[str]:
        slugs = sorted({slug for row in rows for slug in row.topics})
        if not slugs:
            return []
        found = {t.slug: t for t in await self._stores.topics.by_slugs(slugs)}
        errors = []
        for row in rows:
            for slug in row.topics:
                topic = found.get(slug)
                if topic is None:
                    errors.append(f"line {row.line}: unknown topic {slug!r} (`partnerbot topics list`)")
                elif topic.archived:
                    errors.append(f"line {row.line}: topic {slug!r} is archived")
        return errors


def _line_number(error: str) -> int:
    number = error.removeprefix("line ").partition(":")[0]
    return int(number) if number.isdigit() else 0
