"""The Discord adapter's own settings: its token and the REST / gateway addresses.

Read from the environment / `.env` with the same names as ever (`.env.example`); the root's
`bot.config.Settings` composes this class with the core's and reads the environment once. The
adapter's behaviour options (PARTNERBOT_DISCORD_MESSAGE_CONTENT, …) are `DiscordOptions`, read in
client.py.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class DiscordSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    discord_token: str = Field("", validation_alias=AliasChoices("DISCORD_TOKEN"))
    discord_api_url: str = Field("", validation_alias=AliasChoices("PARTNERBOT_DISCORD_API_URL"))
    discord_gateway_url: str = Field("", validation_alias=AliasChoices("PARTNERBOT_DISCORD_GATEWAY_URL"))
