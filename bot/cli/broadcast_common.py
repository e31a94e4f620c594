"""What `partnerbot broadcast` shares between a one-off (bot/cli/broadcast.py) and a recurring
series (bot/cli/broadcast_series.py): the exit codes, the request, the checks made before the core
writes anything, and the admin the command acts as."""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from bot import commands as c
from bot import messages as m
from bot.app import App
from bot.cli import PLATFORM_SETTINGS, CliError
from bot.config import Settings
from bot.domain import Audience, ChannelRef, Invocation, Reach, UserRef
from bot.presenter import present
from bot.results import Refused
from bot.vocabulary import UnknownValue

FAILED, USAGE, TIMED_OUT, INTERRUPTED = 1, 2, 3, 130


@dataclass(frozen=True, slots=True)
class Request:
    command: c.Broadcast
    admin: ChannelRef
    dry_run: bool
    wait: bool
    timeout: float | None
    attach: tuple[str, ...] = ()


async def check_audience(app: App, audience: Audience) -> None:
    """Refuse a tier, type, region or language outside the vocabulary (bot/vocabulary.py), in the
    core's words: a typo would otherwise reach nobody."""
    try:
        (await app.bot.vocabulary()).check_audience(audience)
    except UnknownValue as unknown:
        raise CliError(unknown.message, USAGE) from unknown


async def check_reach(app: App, command: c.Broadcast) -> Reach | None:
    """Refuse a broadcast that would reach nobody before the core writes its draft. (Unknown or
    archived topics are left to the core, which explains them and also creates nothing.)"""
    if command.saved_audience is not None:  # its filters (and topics) as they are now
        resolved = await app.bot.audiences.resolve(command)
        if isinstance(resolved, Refused):
            raise CliError(present(resolved).text, USAGE)
        command = resolved
    topics = await app.stores.topics.by_slugs(command.topics)
    if len(topics) != len(command.topics) or any(topic.archived for topic in topics):
        return None
    reach = await app.stores.announcements.reach([topic.id for topic in topics], command.audience)
    if reach.channels == 0:
        raise CliError(
            f"it would reach no channel: no active channel following {', '.join(command.topics)} is "
            f"within “{command.audience.describe()}”; nothing was created",
            FAILED,
        )
    return reach


def delivery_warnings(settings: Settings, reach: Reach | None) -> list[str]:
    """What nobody would deliver: everything when no credentials are set here, else the targeted
    channels on a platform this process has no credentials for."""
    configured = {p.value for p in settings.configured_platforms()}
    if not configured:
        return [m.CLI_NO_CREDENTIALS]
    warnings = []
    for platform, (name, setting) in PLATFORM_SETTINGS.items():
        count = reach.by_platform.get(platform, 0) if reach else 0
        if count and platform not in configured:
            warnings.append(m.CLI_PLATFORM_NOT_CONFIGURED(count, platform=name, setting=setting))
    return warnings


async def cli_invocation(app: App, admin: ChannelRef) -> Invocation:
    known = await app.stores.directory.channel(admin)  # its workspace, if an admin used it in chat
    channel = known.ref if known is not None else admin
    try:
        login = getpass.getuser()
    except (OSError, KeyError):  # no login name in this environment (a bare container)
        login = "operator"
    user = UserRef(channel.platform, channel.workspace, f"cli:{login}"[:64], f"{login} (partnerbot CLI)")
    # Whoever runs the CLI holds the database credentials, which is more than any chat admin has.
    return Invocation(channel=channel, user=user, platform_admin=True)
