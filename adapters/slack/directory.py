"""What the adapter learns from Slack about people and channels, cached briefly.

- display names (`users.info`), for questions and answers shown to the other side;
- a user's time zone (`users.info` `tz`), to read the wall-clock time they picked in a date-time picker;
- admin user-group membership (`usergroups.users.list`, Tier 2), for `Invocation.platform_admin`;
- channel names (`conversations.info`) for events that carry only an id;
- which workspace a channel belongs to, learned from every inbound payload, so the Sender can find a
  token for a channel registered without one.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import ChannelRef, Platform, UserRef
from bot.settings import Admins

log = logging.getLogger(__name__)
_V = TypeVar("_V")


class TtlCache(Generic[_V]):
    """A small LRU with expiry; enough for one process's view of names and memberships."""

    def __init__(self, ttl: float, *, size: int = 2_000, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl, self._size, self._clock = ttl, size, clock
        self._items: OrderedDict[str, tuple[_V, float]] = OrderedDict()

    def get(self, key: str) -> _V | None:
        item = self._items.get(key)
        if item is None or item[1] < self._clock():
            self._items.pop(key, None)
            return None
        self._items.move_to_end(key)
        return item[0]

    def put(self, key: str, value: _V) -> None:
        self._items[key] = (value, self._clock() + self._ttl)
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)


class SlackDirectory:
    def __init__(self, admins: Admins, *, group_ttl: float = 60.0, name_ttl: float = 600.0) -> None:
        self._admins = admins
        self._groups: TtlCache[frozenset[str]] = TtlCache(group_ttl, size=200)
        self._users: TtlCache[Mapping[str, Any]] = TtlCache(name_ttl)
        self._channel_names: TtlCache[str] = TtlCache(name_ttl)
        self._teams: OrderedDict[str, str] = OrderedDict()

    # --- channel → workspace ---------------------------------------------------------------------

    def saw(self, team: str, channel: str) -> None:
        if team and channel:
            self._teams[channel] = team
            self._teams.move_to_end(channel)
            if len(self._teams) > 50_000:
                self._teams.popitem(last=False)

    def team_of(self, channel: str) -> str | None:
        return self._teams.get(channel)

    # --- people ----------------------------------------------------------------------------------

    async def is_group_admin(self, client: AsyncWebClient, channel: ChannelRef, user: str) -> bool:
        """True when `user` is in a configured admin user group. Only asked where it matters: in an
        admin channel, for someone not already named in PARTNERBOT_ADMIN_USERS."""
        groups = self._admins.groups_on(Platform.SLACK)
        if not groups or not self._admins.is_admin_channel(channel):
            return False
        if self._admins.is_admin_user(UserRef(Platform.SLACK, channel.workspace, user)):
            return False  # already an admin by name; no need to spend a Tier 2 call
        for group in groups:
            if user in await self._members(client, channel.workspace, group):
                return True
        return False

    async def _members(self, client: AsyncWebClient, team: str, group: str) -> frozenset[str]:
        key = f"{team}:{group}"
        cached = self._groups.get(key)
        if cached is not None:
            return cached
        try:
            response = await client.usergroups_users_list(usergroup=group)
            members = frozenset(str(u) for u in response.get("users") or [])
        except SlackApiError as exc:
            log.warning("cannot read Slack user group %s: %s", group, exc.response.get("error"))
            members = frozenset()
        self._groups.put(key, members)
        return members

    async def display_name(self, client: AsyncWebClient, user: str, *, known: str = "") -> str:
        if known:
            return known
        profile = await self._user(client, user)
        details = profile.get("profile") or {}
        return str(details.get("display_name") or details.get("real_name") or profile.get("name") or user)

    async def timezone(self, client: AsyncWebClient, user: str) -> str | None:
        """The IANA zone of the user's Slack profile (`tz`), in which Slack shows them date-time
        pickers; None when Slack does not say (e.g. an external Slack Connect user)."""
        return str((await self._user(client, user)).get("tz") or "") or None

    async def _user(self, client: AsyncWebClient, user: str) -> Mapping[str, Any]:
        cached = self._users.get(user)
        if cached is not None:
            return cached
        try:
            info: Mapping[str, Any] = (await client.users_info(user=user)).get("user") or {}
        except SlackApiError as exc:  # e.g. an external Slack Connect user we may not look up
            log.info("users.info %s failed: %s", user, exc.response.get("error"))
            info = {}
        self._users.put(user, info)
        return info

    async def channel_name(self, client: AsyncWebClient, channel: str, *, known: str = "") -> str:
        if known:
            return known
        cached = self._channel_names.get(channel)
        if cached is not None:
            return cached
        try:
            info = (await client.conversations_info(channel=channel)).get("channel") or {}
            name = str(info.get("name") or "")
        except SlackApiError as exc:
            log.info("conversations.info %s failed: %s", channel, exc.response.get("error"))
            name = ""
        self._channel_names.put(channel, name)
        return name
