"""Who a broadcast reaches, as a pure rule: subscriptions ∩ audience ∩ active channels, minus the admin
channels. storage/repositories/targeting.py does the same in one SQL statement (the fast path that
writes 10,000 delivery rows at once); tests/integration/test_targeting_contract.py holds the two to
the same answers."""

from __future__ import annotations

from collections.abc import Collection

from bot.domain.announcements import Audience
from bot.domain.directory import Channel, Partner
from bot.domain.refs import ChannelRef


def is_target(
    channel: Channel,
    partner: Partner | None,
    *,
    follows: Collection[int],
    topic_ids: Collection[int],
    audience: Audience,
    excluded: Collection[ChannelRef] = (),
) -> bool:
    """Whether `channel` (of `partner`, following the topic ids `follows`) receives a broadcast on
    `topic_ids` for `audience`. Admin channels are `excluded` by platform and channel id (settings
    name no workspace); a removed partner's channels are out even if switched back on."""
    if not channel.active or (partner is not None and partner.removed_at is not None):
        return False
    if not any(topic in follows for topic in topic_ids):
        return False
    ref = channel.ref
    if any(ex.platform is ref.platform and ex.channel == ref.channel for ex in excluded):
        return False
    return audience.matches(partner)
