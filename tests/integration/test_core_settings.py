"""The core gets only its own settings (no platform secret), and the one entry point the Discord
adapter used to reach a store for: `PartnerBot.draft` (issue 12).

The clock starts on Tuesday 2026-11-24 09:00 UTC.
"""

from __future__ import annotations

from bot import messages as m
from bot.domain import Announcement, AnnouncementStatus, ChannelRef, Invocation, Platform, Reply, UserRef
from bot.settings import CoreSettings
from tests.harness import ADMIN, ADMIN_CHANNEL, Harness
from tests.integration.support import setup_topics


def _local(channel: str, user: str) -> Invocation:
    return Invocation(
        channel=ChannelRef(Platform.LOCAL, "local", channel),
        user=UserRef(Platform.LOCAL, "local", user, display_name=user),
        channel_name=channel,
        thread=None,
    )


async def test_the_core_is_built_with_core_settings_only(harness: Harness) -> None:
    core = harness.app.bot.settings
    assert type(core) is CoreSettings
    assert not hasattr(core, "database_url") and not hasattr(core, "slack_bot_token")
    assert core.admin_channels == (f"local:{ADMIN_CHANNEL}",)


async def test_draft_is_the_announcement_for_admins_a_refusal_for_others(harness: Harness) -> None:
    h = harness
    await setup_topics(h, "security")
    preview = await h.admin('broadcast topic:security title:"Patch" Patch now.')
    assert preview.draft is not None, preview.text
    draft_id = preview.draft.announcement_id

    found = await h.app.bot.draft(_local(ADMIN_CHANNEL, ADMIN), draft_id)
    assert isinstance(found, Announcement)
    assert (found.id, found.title, found.status) == (draft_id, "Patch", AnnouncementStatus.DRAFT)
    assert await h.app.bot.draft(_local(ADMIN_CHANNEL, ADMIN), draft_id + 41) is None

    stranger = await h.app.bot.draft(_local(ADMIN_CHANNEL, "mallory"), draft_id)
    assert isinstance(stranger, Reply) and stranger.is_error and stranger.text == m.ADMIN_ONLY_FOR_ADMINS
    elsewhere = await h.app.bot.draft(_local("lounge", ADMIN), draft_id)
    assert isinstance(elsewhere, Reply) and elsewhere.text == m.ADMIN_ONLY_IN_ADMIN_CHANNEL
