"""The core's settings: what the services, jobs and the admin checks read, and no platform secret.

`CoreSettings` holds no token, signing secret, client secret, encryption key or database URL: those
live in the adapters' own settings classes (adapters/slack/settings.py, adapters/discord/settings.py)
and in the root's `bot.config.Settings`, which composes all of them and reads the environment once.
The core may import this module, never `bot.config` (an import-linter contract in pyproject.toml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

import langcodes
from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.domain.approvals import ApprovalMode
from bot.domain.refs import ChannelRef, Platform, UserRef
from bot.timezones import WEEKDAYS, DigestTime, QuietHours, canonical_zone, parse_quiet

CommaList = Annotated[tuple[str, ...], NoDecode]


def env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


@dataclass(frozen=True, slots=True)
class Admins:
    """Who is an admin where: the `platform:id` lists of admin channels, users and groups (a Slack
    user group, a Discord role). What an adapter needs to decide before asking the core."""

    channels: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()

    def is_admin_channel(self, channel: ChannelRef) -> bool:
        return channel.key() in self.channels

    def is_admin_user(self, user: UserRef) -> bool:
        return user.key() in self.users

    def channels_on(self, platform: Platform) -> tuple[str, ...]:
        """The admin channel ids configured on `platform`, in the configured order."""
        return _on(self.channels, platform)

    def groups_on(self, platform: Platform) -> tuple[str, ...]:
        return _on(self.groups, platform)


def _on(items: tuple[str, ...], platform: Platform) -> tuple[str, ...]:
    prefix = f"{platform.value}:"
    return tuple(item[len(prefix) :] for item in items if item.startswith(prefix))


class CoreSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    # `platform:id` lists, e.g. `slack:C0ADMIN,discord:112233`.
    admin_channels: CommaList = Field((), validation_alias=env("PARTNERBOT_ADMIN_CHANNELS"))
    admin_users: CommaList = Field((), validation_alias=env("PARTNERBOT_ADMIN_USERS"))
    # Platform groupings whose members are admins: a Slack user group id, a Discord role id.
    admin_groups: CommaList = Field((), validation_alias=env("PARTNERBOT_ADMIN_GROUPS"))

    default_timezone: str = Field("UTC", validation_alias=env("PARTNERBOT_DEFAULT_TIMEZONE"))
    # The language of an announcement's default text (BCP 47): what partners read when no variant of
    # their language exists (`translate`), and the language of partners who set none.
    default_language: str = Field("en", validation_alias=env("PARTNERBOT_DEFAULT_LANGUAGE"))
    # The language of the bot's replies in the admin channels (partner-catalog wording; admin-only
    # wording is English): partner replies follow each channel's reader language (bot/i18n.py).
    admin_language: str = Field("en", validation_alias=env("PARTNERBOT_ADMIN_LANGUAGE"))
    invite_ttl_days: int = Field(14, ge=1, le=365, validation_alias=env("PARTNERBOT_INVITE_TTL_DAYS"))
    # Off (the default): only channels linked to a partner (by `join` or the roster) may subscribe.
    # On: any channel the bot is in may subscribe, as communities that want open news do.
    open_subscriptions: bool = Field(False, validation_alias=env("PARTNERBOT_OPEN_SUBSCRIPTIONS"))
    # Vendor-wide quiet hours, e.g. `20:00-08:00` in each channel's own time zone; off unless set.
    quiet_hours: str = Field("", validation_alias=env("PARTNERBOT_QUIET_HOURS"))
    # Fatigue cap: at most this many non-urgent announcements per channel per rolling week (1..50);
    # those over it wait for a digest (bot/caps.py). Empty or `off`: no cap. `settings cap` overrides it.
    weekly_cap: int | None = Field(None, ge=1, le=50, validation_alias=env("PARTNERBOT_WEEKLY_CAP"))
    # When daily/weekly digests go out, in each channel's own time zone.
    digest_time: str = Field("09:00", validation_alias=env("PARTNERBOT_DIGEST_TIME"))
    digest_weekday: str = Field("monday", validation_alias=env("PARTNERBOT_DIGEST_WEEKDAY"))
    # The weekly engagement report to the admin channels, in the vendor time zone (default_timezone).
    report_time: str = Field("09:00", validation_alias=env("PARTNERBOT_REPORT_TIME"))
    report_weekday: str = Field("monday", validation_alias=env("PARTNERBOT_REPORT_WEEKDAY"))
    # A partner question still unanswered after this long gets one reminder in the admin channel.
    question_reminder_hours: float = Field(
        24.0, gt=0, le=24 * 90, validation_alias=env("PARTNERBOT_QUESTION_REMINDER_HOURS")
    )
    # A partner who has not acknowledged an `urgent ack` announcement this long after its delivery
    # gets one reminder in the announcement's thread.
    ack_reminder_hours: float = Field(
        4.0, gt=0, le=24 * 90, validation_alias=env("PARTNERBOT_ACK_REMINDER_HOURS")
    )

    worker_batch: int = Field(200, ge=1, le=5000, validation_alias=env("PARTNERBOT_WORKER_BATCH"))
    worker_concurrency: int = Field(32, ge=1, le=1000, validation_alias=env("PARTNERBOT_WORKER_CONCURRENCY"))
    lease_seconds: float = Field(60.0, gt=0, validation_alias=env("PARTNERBOT_LEASE_SECONDS"))
    max_attempts: int = Field(8, ge=1, le=50, validation_alias=env("PARTNERBOT_MAX_ATTEMPTS"))
    poll_seconds: float = Field(0.5, gt=0, validation_alias=env("PARTNERBOT_POLL_SECONDS"))
    # Post a live progress message in the admin channel for each broadcast (sent / to go / failed,
    # then a summary with failures by reason), edited in place every few seconds.
    progress_messages: bool = Field(True, validation_alias=env("PARTNERBOT_PROGRESS_MESSAGES"))
    # Approval before send (README "Approval before send"): `off` (only topics marked `topic
    # require-approval`), `broadcasts` (every send of a draft, and text edits of announcements still
    # waiting for their time), `all` (also text edits of announcements partners already have).
    approval: ApprovalMode = Field(ApprovalMode.OFF, validation_alias=env("PARTNERBOT_APPROVAL"))
    # False: urgent announcements go out without approval (the bypass is audited).
    urgent_needs_approval: bool = Field(True, validation_alias=env("PARTNERBOT_URGENT_NEEDS_APPROVAL"))
    # The known partner tiers, types and regions (bot/vocabulary.py): every input path refuses other
    # values with a did-you-mean. Values the roster already holds stay valid too.
    tiers: CommaList = Field(
        ("registered", "silver", "gold", "platinum"), validation_alias=env("PARTNERBOT_TIERS")
    )
    types: CommaList = Field(
        ("reseller", "distributor", "msp", "isv", "integrator", "referral"),
        validation_alias=env("PARTNERBOT_TYPES"),
    )
    regions: CommaList = Field(("na", "latam", "emea", "apac"), validation_alias=env("PARTNERBOT_REGIONS"))
    # Personal data: question and answer text, reminders quoting a question and audit details older
    # than this many days are blanked by the `retention` job (rows and counts stay). None: kept forever.
    retention_days: int | None = Field(
        None, ge=1, le=36500, validation_alias=env("PARTNERBOT_RETENTION_DAYS")
    )

    # The engagement score (bot/services/engagement.py, README "Engagement score"): over the last
    # `engagement_window_days`, 100 x (proactive weight x proactive + reactive weight x reactive actions)
    # / (announcements received + smoothing). "Gone quiet": still receiving in the last `quiet_weeks`
    # with no action in them, or a score down by more than `quiet_drop_percent` on the previous window.
    engagement_window_days: int = Field(
        90, ge=1, le=3650, validation_alias=env("PARTNERBOT_ENGAGEMENT_WINDOW_DAYS")
    )
    engagement_proactive_weight: float = Field(
        3.0, ge=0, le=1000, validation_alias=env("PARTNERBOT_ENGAGEMENT_PROACTIVE_WEIGHT")
    )
    engagement_reactive_weight: float = Field(
        1.0, ge=0, le=1000, validation_alias=env("PARTNERBOT_ENGAGEMENT_REACTIVE_WEIGHT")
    )
    engagement_smoothing: float = Field(
        5.0, gt=0, le=10000, validation_alias=env("PARTNERBOT_ENGAGEMENT_SMOOTHING")
    )
    quiet_weeks: int = Field(4, ge=1, le=520, validation_alias=env("PARTNERBOT_QUIET_WEEKS"))
    quiet_drop_percent: float = Field(
        50.0, gt=0, le=100, validation_alias=env("PARTNERBOT_QUIET_DROP_PERCENT")
    )
    # Answers that already exist (issue 18): a question offered existing answers goes to the team
    # after this many minutes if the partner presses neither "This answers it" nor "Ask the team
    # anyway"; 0 turns the offers off (every question is relayed at once, as before).
    faq_offer_minutes: int = Field(15, ge=0, le=10_080, validation_alias=env("PARTNERBOT_FAQ_OFFER_MINUTES"))

    @field_validator("admin_channels", "admin_users", "admin_groups", mode="before")
    @classmethod
    def _split(cls, value: object) -> tuple[str, ...]:
        if isinstance(value, str):
            return tuple(item.strip() for item in value.split(",") if item.strip())
        if isinstance(value, list | tuple):
            return tuple(str(item).strip() for item in value)
        raise ValueError("expected a comma-separated list like `slack:C0ADMIN,discord:112233`")

    @field_validator("default_language", "admin_language", mode="before")
    @classmethod
    def _language(cls, value: object) -> str:
        word = str(value).strip()
        if not word or not langcodes.tag_is_valid(word):
            raise ValueError(f"not a BCP 47 language tag: {word!r} (for example `en`, `de`, `pt-br`)")
        return str(langcodes.standardize_tag(word)).lower()

    @field_validator("retention_days", "weekly_cap", mode="before")
    @classmethod
    def _retention_off(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().lower() in ("", "off"):
            return None
        return value

    @field_validator("tiers", "types", "regions", mode="before")
    @classmethod
    def _split_words(cls, value: object) -> tuple[str, ...]:
        if isinstance(value, str):
            value = value.split(",")
        if not isinstance(value, list | tuple):
            raise ValueError("expected a comma-separated list like `registered,silver,gold,platinum`")
        words = tuple(dict.fromkeys(str(item).strip().lower() for item in value if str(item).strip()))
        if not words:
            raise ValueError("needs at least one value, e.g. `registered,silver,gold,platinum`")
        for word in words:
            if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,39}", word):
                raise ValueError(f"`{word}` must be a short lower-case word (letters, digits, - or _)")
        return words

    @field_validator("admin_channels", "admin_users", "admin_groups")
    @classmethod
    def _platform_prefixed(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        platforms = {p.value for p in Platform}
        for item in value:
            platform, _, ident = item.partition(":")
            if platform not in platforms or not ident:
                raise ValueError(f"`{item}` must look like `slack:C0ADMIN` or `discord:112233`")
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        zone = canonical_zone(value)
        if zone is None:
            raise ValueError(f"`{value}` is not an IANA time zone; use a name like `Europe/Berlin` or `UTC`")
        return zone

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_window(cls, value: str) -> str:
        value = value.strip()
        if value.lower() in ("", "off"):
            return ""
        if parse_quiet(value) is None:
            raise ValueError(f"`{value}` must look like `20:00-08:00` (24-hour clock), or be empty for none")
        return value

    @field_validator("digest_time", "report_time")
    @classmethod
    def _digest_time(cls, value: str) -> str:
        hour, _, minute = value.strip().partition(":")
        if not (hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
            raise ValueError(f"`{value}` must be a 24-hour time like `09:00`")
        return f"{int(hour):02d}:{int(minute):02d}"

    @field_validator("digest_weekday", "report_weekday")
    @classmethod
    def _weekday(cls, value: str) -> str:
        day = value.strip().lower()
        if day not in WEEKDAYS:
            raise ValueError(f"`{value}` must be a weekday name: {', '.join(WEEKDAYS)}")
        return day

    def default_quiet(self) -> QuietHours | None:
        """The vendor-wide quiet hours, or None when off."""
        return parse_quiet(self.quiet_hours) if self.quiet_hours else None

    def digest_at(self) -> DigestTime:
        hour, minute = (int(part) for part in self.digest_time.split(":"))
        return DigestTime(hour=hour, minute=minute, weekday=WEEKDAYS.index(self.digest_weekday))

    def report_at(self) -> DigestTime:
        """When the weekly engagement report is due, in the vendor time zone."""
        hour, minute = (int(part) for part in self.report_time.split(":"))
        return DigestTime(hour=hour, minute=minute, weekday=WEEKDAYS.index(self.report_weekday))

    def admins(self) -> Admins:
        """The admin lists as one value, for the adapters' own pre-checks."""
        return Admins(self.admin_channels, self.admin_users, self.admin_groups)

    def admin_channel_refs(self) -> list[ChannelRef]:
        """Every configured admin channel. Settings name no workspace: it is learnt at send time."""
        refs = []
        for item in self.admin_channels:
            platform, _, channel = item.partition(":")
            refs.append(ChannelRef(Platform(platform), "", channel))
        return refs

    def is_admin_channel(self, channel: ChannelRef) -> bool:
        return self.admins().is_admin_channel(channel)

    def is_admin_user(self, user: UserRef) -> bool:
        return self.admins().is_admin_user(user)

    def admin_channel_for(self, platform: Platform) -> str | None:
        """The first admin channel configured on `platform`, if any."""
        return next(iter(self.admins().channels_on(platform)), None)
