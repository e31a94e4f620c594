"""The dashboard's own settings: where it is reached, how long sign-ins last, the sign-in methods.

Read with the same names as the rest (`.env.example`); the root's `bot.config.Settings` composes it.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    # The one HTTP listener of `partnerbot run` / `partnerbot dashboard` (shared with the Slack adapter).
    http_host: str = Field("127.0.0.1", validation_alias=AliasChoices("PARTNERBOT_HTTP_HOST"))
    http_port: int = Field(3000, validation_alias=AliasChoices("PARTNERBOT_HTTP_PORT"))
    # The address people type or click (behind a proxy, the proxy's): sign-in links and OAuth
    # redirects are built on it. Empty: http://PARTNERBOT_HTTP_HOST:PARTNERBOT_HTTP_PORT.
    public_url: str = Field("", validation_alias=AliasChoices("PARTNERBOT_PUBLIC_URL"))
    dashboard_session_hours: float = Field(
        12, gt=0, le=24 * 30, validation_alias=AliasChoices("PARTNERBOT_DASHBOARD_SESSION_HOURS")
    )
    dashboard_link_minutes: float = Field(
        15, gt=0, le=24 * 60, validation_alias=AliasChoices("PARTNERBOT_DASHBOARD_LINK_MINUTES")
    )

    # Sign in with Slack (OpenID Connect) with the Slack app of SLACK_CLIENT_ID / SLACK_CLIENT_SECRET: off
    # until turned on, as that app must first list the redirect URL and the openid/profile user scopes.
    dashboard_slack_signin: bool = Field(
        False, validation_alias=AliasChoices("PARTNERBOT_DASHBOARD_SLACK_SIGNIN")
    )
    # Sign in with Discord (OAuth2): on when both are set (the developer portal's OAuth2 page).
    discord_client_id: str = Field("", validation_alias=AliasChoices("DISCORD_CLIENT_ID"))
    discord_client_secret: str = Field("", validation_alias=AliasChoices("DISCORD_CLIENT_SECRET"))

    def base_url(self, port: int | None = None) -> str:
        """Where the dashboard is reached, without a trailing slash."""
        if self.public_url:
            return self.public_url.rstrip("/")
        return f"http://{self.http_host}:{port if port is not None else self.http_port}"
