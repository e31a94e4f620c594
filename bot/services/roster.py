"""Partner roster import: validate every line of a CSV, report problems by line, import all or nothing."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import available_timezones

from bot import messages as m
from bot.domain import ChannelRef, ImportRow, PartnerProfile, Platform
from bot.ports import Clock, Stores

REQUIRED = ("name", "tier", "type", "region", "language", "timezone", "platform", "channel_id")
OPTIONAL = ("workspace_id",)
# The partner and channel tables' column widths.
MAX_NAME, MAX_LANGUAGE, MAX_ID = 200, 20, 64
_ATTRIBUTE = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
# Slack conversation ids start with C (public), G (private) or D (DM); Discord ids are snowflakes.
_CHANNEL_ID = {
    Platform.SLACK: re.compile(r"^[CGD][A-Z0-9]{6,}$"),
    Platform.DISCORD: re.compile(r"^[0-9]{15,21}$"),
    Platform.LOCAL: re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$"),
}


@dataclass(frozen=True, slots=True)
class ImportReport:
    partners: int = 0
    channels: int = 0
    errors: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_roster(text: str) -> tuple[list[ImportRow], list[str]]:
    """Validate a roster CSV; returns the rows and, if any, the errors ("line N: …")."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))  # Excel writes a BOM
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [f"line 1: the header lacks {', '.join(missing)} (needs: {', '.join(REQUIRED)})"]
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
        if None in raw:
            problems.append("more values than columns")
        if problems:
            errors.append(f"line {index}: " + "; ".join(problems))
            continue
        rows.append(_to_row(index, record))
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
    for column in ("tier", "type", "region", "language"):
        value = record.get(column, "")
        if value and not _ATTRIBUTE.match(value.lower()):
            problems.append(f"{column} {value!r} must be a short lower-case word")
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


def _to_row(line: int, record: dict[str, str]) -> ImportRow:
    profile = PartnerProfile(
        name=record["name"],
        tier=record["tier"].lower(),
        type=record["type"].lower(),
        region=record["region"].lower(),
        language=record["language"].lower(),
        timezone=record["timezone"],
    )
    platform = Platform(record["platform"].lower())
    channel = ChannelRef(platform, record.get("workspace_id", ""), record["channel_id"])
    return ImportRow(line=line, partner=profile, channel=channel)


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
        if first and first[1] != row.partner:
            errors.append(f"line {row.line}: {row.partner.name!r} differs from its line {first[0]}")
        seen_names.setdefault(row.partner.name, (row.line, row.partner))
    return errors


class RosterService:
    def __init__(self, stores: Stores, clock: Clock) -> None:
        self._stores = stores
        self._clock = clock

    async def import_csv(self, text: str) -> ImportReport:
        rows, errors = parse_roster(text)
        if errors:
            return ImportReport(errors=tuple(errors))
        existing = await self._stores.directory.existing_partner_names(sorted({r.partner.name for r in rows}))
        if existing:
            clashes = [
                f"line {r.line}: a partner named {r.partner.name!r} already exists"
                for r in rows
                if r.partner.name in existing
            ]
            return ImportReport(errors=tuple(clashes))
        partners, channels = await self._stores.directory.import_rows(rows, now=self._clock.now())
        return ImportReport(partners=partners, channels=channels)
