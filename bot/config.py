"""Settings, read from the environment and `.env` (every key is documented in `.env.example`).

Root-side: `Settings` composes the core's settings (bot/settings.py, no platform secret), each
adapter's own (adapters/slack/settings.py, adapters/discord/settings.py) and what only the root uses
(the database URL, the at-rest encryption key, the rate-limit mode), and reads the environment once.
The composition root hands each part only its piece (`core()`, `slack()`, `discord()`); the core may
not import this module (an import-linter contract in pyproject.toml).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.discord.settings import DiscordSettings
from adapters.slack.settings import SlackSettings
from adapters.web.settings import WebSettings
from bot.domain.refs import Platform
from bot.settings import CommaList, CoreSettings, env

__all__ = ["CommaList", "CoreSettings", "DiscordSettings", "Settings", "SlackSettings", "WebSettings"]


class Settings(CoreSettings, SlackSettings, DiscordSettings, WebSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str = Field("sqlite:///partnerbot.db", validation_alias=env("PARTNERBOT_DATABASE_URL"))
    # Fernet keys, comma-separated, that encrypt OAuth installs' tokens at rest: the first encrypts,
    # all decrypt (rotation). Needed in OAuth mode (SLACK_CLIENT_ID) only.
    secret_key: str = Field("", validation_alias=env("PARTNERBOT_SECRET_KEY"))
    # Where attachments' bytes are kept, once per content (storage/files.py); relative to the
    # working directory. Every process that sends (`run`, `worker`) must see the same directory.
    files_dir: str = Field("./partnerbot-files", validation_alias=env("PARTNERBOT_FILES_DIR"))
    # PARTNERBOT_DISCORD_MAX_FILE_MB is DiscordSettings' (the adapter's preview thumbnail reads it);
    # the root also hands it to the core's file checks (bot/services/files.py).
    # Who paces sends to the platforms' limits (bot/services/ratelimits.py): `auto` shares the
    # buckets through the database on PostgreSQL (many processes) and keeps them in-process on SQLite.
    rate_limits: Literal["auto", "process", "shared", "off"] = Field(
        "auto", validation_alias=env("PARTNERBOT_RATE_LIMITS")
    )

    # Operations (README "Operations"): a /metrics, /readyz and /healthz server on this port (also for
    # `partnerbot worker`; unset: none, besides the Slack adapter's own server); log lines as JSON.
    metrics_port: int | None = Field(None, validation_alias=env("PARTNERBOT_METRICS_PORT"))
    log_format: Literal["text", "json"] = Field("text", validation_alias=env("PARTNERBOT_LOG_FORMAT"))
    # How the long-running commands (`run`, `worker`) drive asyncio: `auto` uses uvloop when it is
    # installed (`pip install partnerbot[fast]`), the standard loop otherwise (bot/cli/loops.py).
    event_loop: Literal["auto", "asyncio", "uvloop"] = Field(
        "auto", validation_alias=env("PARTNERBOT_EVENT_LOOP")
    )
    # Delivery processes of `partnerbot worker` (and of `run`'s worker): more than one fills more
    # cores, sharing the outbox through the leases (bot/cli/processes.py says when SQLite allows it).
    worker_processes: int = Field(1, ge=1, le=64, validation_alias=env("PARTNERBOT_WORKER_PROCESSES"))
    # The web dashboard (README "Dashboard") at /dashboard/ of `partnerbot run`'s HTTP server.
    dashboard_enabled: bool = Field(True, validation_alias=env("PARTNERBOT_DASHBOARD"))
    # The optional machine translator of `translate <id> <lang> draft` (adapters/translator/): the base
    # URL of a LibreTranslate-compatible API (empty: none) and its API key (secret; empty: none sent).
    translator_url: str = Field("", validation_alias=env("PARTNERBOT_TRANSLATOR_URL"))
    translator_key: SecretStr = Field(SecretStr(""), validation_alias=env("PARTNERBOT_TRANSLATOR_KEY"))
    # How long one `translate … draft` waits for the translator's answer, in seconds (1 to 120); past it
    # the admin is told the service did not answer in time.
    translator_timeout: float = Field(
        20.0, ge=1, le=120, validation_alias=env("PARTNERBOT_TRANSLATOR_TIMEOUT")
    )

    # Answers that already exist (issue 18, README "Semantic matching"): how a partner's question is
    # matched against answered ones. `fulltext` (the default) by the database's full-text index;
    # `embeddings` by an embedding model (`pip install 'partnerbot[embeddings]'`), loaded offline from
    # PARTNERBOT_SIMILARITY_MODEL (a model directory, or a model already in the Hugging Face cache),
    # offering answers whose cosine similarity reaches PARTNERBOT_SIMILARITY_FLOOR.
    similarity: Literal["fulltext", "embeddings"] = Field(
        "fulltext", validation_alias=env("PARTNERBOT_SIMILARITY")
    )
    similarity_model: str = Field(
        "", validate_default=True, validation_alias=env("PARTNERBOT_SIMILARITY_MODEL")
    )
    similarity_floor: float = Field(0.5, gt=0, lt=1, validation_alias=env("PARTNERBOT_SIMILARITY_FLOOR"))

    @field_validator("similarity_model")
    @classmethod
    def _model_named(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("similarity") == "embeddings" and not value.strip():
            raise ValueError(
                "PARTNERBOT_SIMILARITY=embeddings needs PARTNERBOT_SIMILARITY_MODEL: a model directory on "
                "this machine or a model already in the Hugging Face cache"
            )
        return value.strip()

    def core(self) -> CoreSettings:
        """The core's piece: no token, secret, key or database URL."""
        return CoreSettings.model_construct(**self._values(CoreSettings))

    def slack(self) -> SlackSettings:
        return SlackSettings.model_construct(**self._values(SlackSettings))

    def discord(self) -> DiscordSettings:
        return DiscordSettings.model_construct(**self._values(DiscordSettings))

    def web(self) -> WebSettings:
        return WebSettings.model_construct(**self._values(WebSettings))

    def _values(self, part: type[BaseSettings]) -> dict[str, Any]:
        # Already validated here: the piece gets these values without reading the environment again.
        return {name: getattr(self, name) for name in part.model_fields}

    def shared_rate_limits(self) -> bool:
        """Whether this process draws from the database-backed buckets every process shares."""
        if self.rate_limits == "auto":
            return self.database_url.startswith(("postgresql", "postgres"))
        return self.rate_limits == "shared"

    def configured_platforms(self) -> list[Platform]:
        found = []
        if self.slack_bot_token or self.slack_client_id:
            found.append(Platform.SLACK)
        if self.discord_token:
            found.append(Platform.DISCORD)
        return found
