"""The configured platform sign-ins, handed over by the composition root (bot/app.py)."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.web.oauth_discord import DiscordSignIn
from adapters.web.oauth_slack import SlackSignIn


@dataclass(frozen=True, slots=True)
class PlatformSignIns:
    """Sign in with Slack / with Discord; None: that method is not configured and its button not shown."""

    slack: SlackSignIn | None = None
    discord: DiscordSignIn | None = None
