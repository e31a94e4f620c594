"""The Slack adapter's own settings: its credentials, API address, HTTP listener and pacing.

Read from the environment / `.env` with the same names as ever (`.env.example`); the root's
`bot.config.Settings` composes this class with the core's and reads the environment once.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class SlackSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    slack_bot_token: str = Field("", validation_alias=AliasChoices("SLACK_BOT_TOKEN"))
    slack_signing_secret: str = Field("", validation_alias=AliasChoices("SLACK_SIGNING_SECRET"))
    slack_app_token: str = Field("", validation_alias=AliasChoices("SLACK_APP_TOKEN"))
    slack_client_id: str = Field("", validation_alias=AliasChoices("SLACK_CLIENT_ID"))
    slack_client_secret: str = Field("", validation_alias=AliasChoices("SLACK_CLIENT_SECRET"))
    slack_api_url: str = Field("", validation_alias=AliasChoices("PARTNERBOT_SLACK_API_URL"))
    # `test <id>` and "Send test" post test copies here (a channel id) instead of the admin channel
    # they were asked from; the bot must be a member. Unset: the admin channel.
    slack_test_channel: str = Field("", validation_alias=AliasChoices("PARTNERBOT_SLACK_TEST_CHANNEL"))

    # Where the HTTP mode (Events API, interactivity, OAuth, /health) listens.
    http_host: str = Field("127.0.0.1", validation_alias=AliasChoices("PARTNERBOT_HTTP_HOST"))
    http_port: int = Field(3000, validation_alias=AliasChoices("PARTNERBOT_HTTP_PORT"))

    # Slack does not publish its workspace-wide cap on chat.postMessage; 4/s (bursts of 20) is a
    # conservative guess. Raise it once you have measured your workspaces.
    slack_workspace_rate: float = Field(
        4.0, gt=0, le=1000, validation_alias=AliasChoices("PARTNERBOT_SLACK_WORKSPACE_RATE")
    )
