from __future__ import annotations

import random

import pytest
from pydantic import ValidationError

from bot.config import Settings
from bot.domain import ChannelRef, Platform, UserRef
from bot.services.delivery import RetryPolicy


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
