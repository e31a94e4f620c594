from __future__ import annotations

import random
from pathlib import Path

import pytest
from pydantic import ValidationError

from adapters.discord.settings import DiscordSettings
from adapters.slack.settings import SlackSettings
from adapters.web.settings import WebSettings
from bot.config import Settings
from bot.domain import ChannelRef, Platform, UserRef
from bot.services.delivery import RetryPolicy
from bot.settings import Admins, CoreSettings


def test_admin_lists_are_platform_prefixed() -> None:
    s = Settings(_env_file=None, admin_channels="slack:C0ADMIN, discord:42", admin_users="slack:U1")  # type: ignore[arg-type]
    assert s.is_admin_channel(ChannelRef(Platform.SLACK, "T1", "C0ADMIN"))
    assert not s.is_admin_channel(ChannelRef(Platform.DISCORD, "G1", "C0ADMIN"))
    assert s.is_admin_user(UserRef(Platform.SLACK, "T1", "U1"))
    assert s.admin_channel_for(Platform.DISCORD) == "42"


@pytest.mark.parametrize("value", ["C0ADMIN", "teams:C1", "slack:"])
def test_malformed_admin_entries_are_rejected(value: str) -> None:
    with pytest.raises(ValidationError, match="must look like"):
        Settings(_env_file=None, admin_channels=value)  # type: ignore[arg-type]


def test_backoff_grows_is_capped_and_jittered() -> None:
    policy = RetryPolicy(initial=2, cap=60, rng=random.Random(1))
    for attempt in range(1, 20):
        assert 0 <= policy.delay(attempt) <= min(60, 2 * 2 ** (attempt - 1))
    assert len({round(policy.delay(5), 3) for _ in range(20)}) > 1


def test_retry_after_is_honoured_with_a_little_jitter() -> None:
    policy = RetryPolicy(rng=random.Random(1))
    for _ in range(50):
        assert 30 <= policy.delay(3, retry_after=30) <= 31


# What counts as a secret, or as storage's business: never on the core's settings.
SECRET_WORDS = ("token", "secret", "key", "password", "client_id", "database", "url")


def test_the_core_settings_hold_no_platform_secret() -> None:
    names = set(CoreSettings.model_fields)
    assert not {name for name in names if any(word in name for word in SECRET_WORDS)}
    aliases = {str(field.validation_alias) for field in CoreSettings.model_fields.values()}
    assert not {alias for alias in aliases if "SLACK" in alias or "DISCORD" in alias or "SECRET" in alias}
    core = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token="xoxb-1",
        slack_signing_secret="s",
        discord_token="d",
        secret_key="k",
        admin_channels="slack:C0ADMIN",  # type: ignore[arg-type]
    ).core()
    assert type(core) is CoreSettings
    dumped = repr(core.model_dump())
    assert "xoxb-1" not in dumped and "'d'" not in dumped and "'k'" not in dumped
    assert core.admin_channels == ("slack:C0ADMIN",)


def test_settings_compose_the_pieces_under_the_same_names() -> None:
    """One object reads the environment; each adapter gets only its own class, same env names."""
    assert set(Settings.model_fields) == (
        set(CoreSettings.model_fields)
        | set(SlackSettings.model_fields)
        | set(DiscordSettings.model_fields)
        | set(WebSettings.model_fields)
        | {"database_url", "secret_key", "rate_limits", "metrics_port", "log_format", "dashboard_enabled"}
        # The file store's directory: the root hands it to the core (as it does Discord's file
        # limit, which is DiscordSettings' since the adapter's preview thumbnail reads it too).
        | {"files_dir"}
        # How `partnerbot run|worker` runs its processes and event loop (bot/cli/processes.py, loops.py).
        | {"event_loop", "worker_processes"}
        # The machine-translation service the root builds the translator port from.
        | {"translator_url", "translator_key", "translator_timeout"}
        # The matcher of answers that already exist, which the root builds the Similarity port from.
        | {"similarity", "similarity_model", "similarity_floor"}
    )
    # The one HTTP listener is both the Slack adapter's and the dashboard's: the same two settings.
    assert set(SlackSettings.model_fields) & set(WebSettings.model_fields) == {"http_host", "http_port"}
    assert not set(SlackSettings.model_fields) & set(DiscordSettings.model_fields)
    s = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token="xoxb-1",
        http_port=0,
        discord_token="d",
        discord_api_url="http://127.0.0.1:1",
        admin_users="discord:7",  # type: ignore[arg-type]
    )
    slack, discord = s.slack(), s.discord()
    assert type(slack) is SlackSettings and type(discord) is DiscordSettings
    assert (slack.slack_bot_token, slack.http_port) == ("xoxb-1", 0)
    assert (discord.discord_token, discord.discord_api_url) == ("d", "http://127.0.0.1:1")
    assert s.admins() == Admins(channels=(), users=("discord:7",), groups=())


def test_env_names_are_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-2",
        "SLACK_APP_TOKEN": "xapp-1",
        "PARTNERBOT_HTTP_PORT": "3100",
        "PARTNERBOT_SLACK_WORKSPACE_RATE": "2",
        "DISCORD_TOKEN": "dt",
        "PARTNERBOT_DISCORD_GATEWAY_URL": "ws://127.0.0.1:9",
        "PARTNERBOT_SECRET_KEY": "sk",
        "PARTNERBOT_DATABASE_URL": "sqlite:///x.db",
        "PARTNERBOT_ADMIN_GROUPS": "slack:S1,discord:5",
        "PARTNERBOT_DIGEST_TIME": "7:05",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (s.slack_bot_token, s.slack_app_token, s.http_port, s.slack_workspace_rate) == (
        "xoxb-2",
        "xapp-1",
        3100,
        2.0,
    )
    assert (s.discord_token, s.discord_gateway_url) == ("dt", "ws://127.0.0.1:9")
    assert (s.secret_key, s.database_url, s.digest_time) == ("sk", "sqlite:///x.db", "07:05")
    assert s.admins().groups_on(Platform.SLACK) == ("S1",)
    assert s.admins().groups_on(Platform.DISCORD) == ("5",)
    assert s.configured_platforms() == [Platform.SLACK, Platform.DISCORD]


def test_discord_options_come_from_the_one_settings_read(monkeypatch: pytest.MonkeyPatch) -> None:
    from adapters.discord.client import options_from

    monkeypatch.setenv("PARTNERBOT_DISCORD_MESSAGE_CONTENT", "true")
    monkeypatch.setenv("PARTNERBOT_DISCORD_SUBSCRIBE_PERMISSION", "Manage_Guild")
    monkeypatch.setenv("PARTNERBOT_DISCORD_SEND_TIMEOUT", "2.5")
    options = options_from(Settings(_env_file=None).discord())  # type: ignore[call-arg]
    assert (options.message_content, options.subscribe_permission, options.send_timeout) == (
        True,
        "manage_guild",
        2.5,
    )
    anyone = Settings(_env_file=None, discord_subscribe_permission="anyone")  # type: ignore[call-arg]
    assert options_from(anyone.discord()).subscribe_permission is None
    typo = Settings(_env_file=None, discord_subscribe_permission="manage_chanels")  # type: ignore[call-arg]
    with pytest.raises(ValueError) as refused:
        options_from(typo.discord())
    assert str(refused.value) == (
        "PARTNERBOT_DISCORD_SUBSCRIBE_PERMISSION='manage_chanels' is not a Discord permission name "
        "(e.g. manage_channels, manage_guild, or none)"
    )


def test_translator_timeout_defaults_to_20_seconds_and_reaches_the_translator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.app import _translator

    assert Settings(_env_file=None).translator_timeout == 20.0  # type: ignore[call-arg]
    monkeypatch.setenv("PARTNERBOT_TRANSLATOR_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("PARTNERBOT_TRANSLATOR_TIMEOUT", "7.5")
    translator = _translator(Settings(_env_file=None))  # type: ignore[call-arg]
    assert translator is not None and translator._timeout.total == 7.5  # type: ignore[attr-defined]


@pytest.mark.parametrize("value", ["0", "0.5", "121", "soon"])
def test_a_translator_timeout_out_of_bounds_is_one_friendly_line(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    from bot.cli import CliError, load_settings

    monkeypatch.setenv("PARTNERBOT_TRANSLATOR_TIMEOUT", value)
    monkeypatch.chdir(Path(__file__).parent)  # no .env here
    expected = r"configuration error — PARTNERBOT_TRANSLATOR_TIMEOUT: .*\.env\.example"
    with pytest.raises(CliError, match=expected):
        load_settings()
