"""The Discord adapter's own settings: its token, the REST / gateway addresses and its options.

Read from the environment / `.env` with the same names as ever (`.env.example`); the root's
`bot.config.Settings` composes this class with the core's and reads the environment once.
`adapters/discord/client.py` turns the options into `DiscordOptions` (`options_from`).
"""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class DiscordSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    discord_token: str = Field("", validation_alias=AliasChoices("DISCORD_TOKEN"))
    discord_api_url: str = Field("", validation_alias=AliasChoices("PARTNERBOT_DISCORD_API_URL"))
    discord_gateway_url: str = Field("", validation_alias=AliasChoices("PARTNERBOT_DISCORD_GATEWAY_URL"))
    # `test <id>` and "Send test" post test copies here (a channel id) instead of the admin channel
    # they were asked from. Unset: the admin channel.
    discord_test_channel: str = Field("", validation_alias=AliasChoices("PARTNERBOT_DISCORD_TEST_CHANNEL"))

    # The privileged message-content intent, once granted in the developer portal.
    discord_message_content: bool = Field(
        False, validation_alias=AliasChoices("PARTNERBOT_DISCORD_MESSAGE_CONTENT")
    )
    # A discord.Permissions flag name, or none/anyone; checked when the adapter is built.
    discord_subscribe_permission: str = Field(
        "manage_channels", validation_alias=AliasChoices("PARTNERBOT_DISCORD_SUBSCRIBE_PERMISSION")
    )
    # Discord's limit per attached file on the servers partnerbot posts to: 10 MiB without boosts
    # (a server boosted to level 2 takes 50, level 3 100). Files over it are refused in the preview,
    # and the preview shows no thumbnail of an image over it.
    discord_max_file_mb: float = Field(
        10.0, gt=0, le=500, validation_alias=AliasChoices("PARTNERBOT_DISCORD_MAX_FILE_MB")
    )
    discord_send_timeout: float = Field(
        15.0, gt=0, validation_alias=AliasChoices("PARTNERBOT_DISCORD_SEND_TIMEOUT")
    )
