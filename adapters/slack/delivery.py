"""Slack for a delivery-only process (`partnerbot worker`): the Sender, no listeners, no HTTP server.

Tokens come from the same place `partnerbot run` uses (the bot token, or the OAuth installation
store in partnerbot's database), so any number of workers can post for every installed workspace.
"""

from __future__ import annotations

from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from adapters.slack.app import SlackConfigError, mode_of, team_rate
from adapters.slack.sender import DEFAULT_API_URL, BotTokens, InstalledTokens, SlackSender, StaticToken
from adapters.slack.settings import SlackSettings
from adapters.slack.uploads import DEFAULT_BUDGET
from bot.domain import Platform
from bot.ports import FileStore, Sender


class SlackDelivery:
    """`PlatformAdapter` that only sends: nothing to start, the HTTP session to close."""

    platform = Platform.SLACK

    def __init__(self, sender: SlackSender) -> None:
        self._slack_sender = sender
        self.sender: Sender = sender

    async def start(self) -> None:
        pass

    @property
    def not_ready(self) -> str | None:
        """Always ready: each send is its own HTTP request, nothing stays connected."""
        return None

    async def stop(self) -> None:
        await self._slack_sender.close()


def build_slack_delivery(
    settings: SlackSettings,
    *,
    installations: AsyncInstallationStore | None = None,
    files: FileStore | None = None,
    share_budget: float = DEFAULT_BUDGET,
) -> SlackDelivery:
    """`installations` (storage/slack_oauth.py) is needed in OAuth mode only."""
    tokens: BotTokens
    if mode_of(settings, receives_events=False).oauth:
        if installations is None:
            raise SlackConfigError("OAuth mode needs the installation store")
        tokens = InstalledTokens(installations)
    else:
        tokens = StaticToken(settings.slack_bot_token)
    sender = SlackSender(
        tokens,
        base_url=settings.slack_api_url or DEFAULT_API_URL,
        team_rate=team_rate(settings),
        files=files,
        share_budget=share_budget,
    )
    return SlackDelivery(sender)
