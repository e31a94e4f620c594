"""Platform identity as opaque value objects: where something is said, by whom, which message."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Platform(StrEnum):
    SLACK = "slack"
    DISCORD = "discord"
    LOCAL = "local"


@dataclass(frozen=True, slots=True)
class ChannelRef:
    """Where something is said: a channel in a Slack workspace, a Discord guild, or a local space."""

    platform: Platform
    workspace: str
    channel: str

    def key(self) -> str:
        return f"{self.platform}:{self.channel}"


@dataclass(frozen=True, slots=True)
class MessageRef:
    """One posted message. `message` is a Slack `ts`, a Discord snowflake, or a local counter."""

    channel: ChannelRef
    message: str


@dataclass(frozen=True, slots=True)
class UserRef:
    platform: Platform
    workspace: str
    user: str
    display_name: str = ""

    def key(self) -> str:
        return f"{self.platform}:{self.user}"
