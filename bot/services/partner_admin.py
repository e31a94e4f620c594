"""Admins keeping the roster: `partner <name>` (a card), `partner set`, `partner remove`, and `invite`
for a partner that may already exist. The chat commands and `partnerbot partners show|set|remove` both
come here, so they behave the same."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

from bot import messages as m
from bot.commands import Invite, PartnerRemove, PartnerSet, PartnerShow
from bot.domain.conversation import Invocation, RefusalCode
from bot.domain.directory import Partner, PartnerCard, PartnerProfile
from bot.lexer import closest
from bot.ports.clock import Clock
from bot.ports.directory import DirectoryStore
from bot.ports.engagement import EngagementStore
from bot.ports.outbox import OutboxStore
from bot.presenter.roster import profile_text as profile_text
from bot.results import Invited, PartnerChanged, PartnerRemoved, PartnerShown, PartnerUnchanged, Refused
from bot.services.engagement import formula_of
from bot.settings import CoreSettings
from bot.timezones import canonical_zone, closest_zone
from bot.vocabulary import UnknownValue, load

_ATTRIBUTES = ("tier", "type", "region", "language")
# The partner card's over-sending line: announcements received per week against actions.
LOAD_WINDOW = timedelta(days=30)
RECENT_ACTIONS = 5  # the card's latest engagement events


@dataclass(frozen=True, slots=True)
class PartnerAdminPorts:
    """The ports PartnerAdminService uses (bot/core.py wires them)."""

    directory: DirectoryStore
    outbox: OutboxStore
    engagement: EngagementStore  # the card's score, trend and recent actions


class PartnerAdminService:
    def __init__(
        self, ports: PartnerAdminPorts, clock: Clock, settings: CoreSettings, *, join_code: Callable[[], str]
    ) -> None:
        self._stores = ports
        self._clock = clock
        self._settings = settings
        self._join_code = join_code

    # --- lookup --------------------------------------------------------------------------------

    async def find(self, name: str) -> Partner | Refused:
        """The partner called `name` (removed ones too), or the refusal with a did-you-mean."""
        partner = await self._stores.directory.partner_by_name(name.strip())
        if partner is not None:
            return partner
        names = {n.lower(): n for n in await self._stores.directory.partner_names()}
        suggestion = closest(name.strip(), names)
        return Refused(
            RefusalCode.NO_SUCH_PARTNER,
            value=name.strip()[:200],
            suggestion=names[suggestion] if suggestion else "",
        )

    async def card(self, name: str) -> PartnerCard | Refused:
        found = await self.find(name)
        if isinstance(found, Refused):
            return found
        card = await self._stores.directory.partner_card(found.id)
        if card is None:
            return Refused(RefusalCode.NO_SUCH_PARTNER, value=name)
        now = self._clock.now()
        load = await self._stores.directory.partner_load(found.id, since=now - LOAD_WINDOW, until=now)
        engagement = await self._stores.engagement.partner_engagement(
            partner_id=found.id,
            now=now,
            window=timedelta(days=self._settings.engagement_window_days),
            formula=formula_of(self._settings),
            recent=RECENT_ACTIONS,
        )
        return replace(card, load=load, engagement=engagement)

    # --- chat commands -------------------------------------------------------------------------

    async def show(self, cmd: PartnerShow) -> PartnerShown | Refused:
        card = await self.card(cmd.name)
        return card if isinstance(card, Refused) else PartnerShown(card)

    async def set(self, cmd: PartnerSet) -> PartnerChanged | PartnerUnchanged | Refused:
        return await self.update(cmd.name, dict(cmd.values))

    async def remove(self, cmd: PartnerRemove) -> PartnerRemoved | Refused:
        return await self.remove_partner(cmd.name)

    # --- use-cases (also the CLI's) --------------------------------------------------------------

    async def update(self, name: str, values: dict[str, str]) -> PartnerChanged | PartnerUnchanged | Refused:
        """Check `values` (tier, type, region, language, timezone) and apply them; the changes, or why not."""
        found = await self.find(name)
        if isinstance(found, Refused):
            return found
        if found.removed_at is not None:
            return _removed(found)
        if not values:
            return Refused(RefusalCode.NOTHING_TO_CHANGE, value=found.name)
        checked = await self._checked(values)
        if isinstance(checked, Refused):
            return checked
        current = found.profile()
        changes = tuple((k, current[k], v) for k, v in checked.items() if current[k] != v)
        if not changes:
            return PartnerUnchanged(found.name, tuple(checked.items()))
        updated = await self._stores.directory.update_partner(found.id, {k: new for k, _, new in changes})
        return PartnerChanged(updated or found, changes)

    async def remove_partner(self, name: str) -> PartnerRemoved | Refused:
        """Mark removed, channels off, pending deliveries failed; the partner and channels switched off."""
        found = await self.find(name)
        if isinstance(found, Refused):
            return found
        channel_ids = await self._stores.directory.remove_partner(found.id, now=self._clock.now())
        if channel_ids is None:
            return _removed(found)
        for channel_id in channel_ids:
            await self._stores.outbox.fail_pending_for_channel(channel_id, reason="partner removed")
        return PartnerRemoved(found, len(channel_ids))

    async def invite(self, inv: Invocation, cmd: Invite) -> Invited | Refused:
        """A join code for a new partner; never a silent change to one that exists."""
        checked = await self._checked(
            {
                key: value
                for key, value in zip(
                    _ATTRIBUTES, (cmd.tier, cmd.type, cmd.region, cmd.language), strict=True
                )
                if value
            }
        )
        if isinstance(checked, Refused):
            return checked
        if "tier" not in checked:
            return Refused(RefusalCode.MISSING, "tier")
        existing = await self._stores.directory.partner_by_name(cmd.partner_name)
        profile = PartnerProfile(
            name=existing.name if existing else cmd.partner_name,
            tier=checked["tier"],
            type=checked.get("type", ""),
            region=checked.get("region", ""),
            language=checked.get("language", ""),
            timezone=existing.timezone if existing else self._settings.default_timezone,
        )
        if existing is not None and existing.removed_at is None:
            current = existing.profile()
            differs = {k: v for k, v in checked.items() if current[k] != v}
            if differs:
                options = " ".join(f"{k}:{v}" for k, v in differs.items())
                fix = f'partner set "{existing.name}" {options}'
                text = m.INVITE_EXISTS_CHANGED.format(
                    name=existing.name, profile=profile_text(existing), fix=fix
                )
                return Refused(RefusalCode.PARTNER_EXISTS, value=existing.name, message=text)
        now = self._clock.now()
        code, expires = self._join_code(), now + timedelta(days=self._settings.invite_ttl_days)
        restore = existing is not None and existing.removed_at is not None
        partner = await self._stores.directory.create_invite(
            profile, code=code, created_by=inv.user.key(), expires_at=expires, now=now, restore=restore
        )
        removed_on = existing.removed_at.date() if restore and existing and existing.removed_at else None
        return Invited(partner, code, expires.date(), existed=existing is not None, removed_on=removed_on)

    async def _checked(self, values: dict[str, str]) -> dict[str, str] | Refused:
        vocabulary = await load(self._stores.directory, self._settings)
        checked: dict[str, str] = {}
        for key, value in values.items():
            if key == "timezone":
                zone = canonical_zone(value.strip())
                if zone is None:
                    suggestion = closest_zone(value)
                    hint = m.DID_YOU_MEAN.format(suggestion=suggestion) if suggestion else "."
                    text = m.BAD_PARTNER_TIMEZONE.format(value=value[:64], did_you_mean=hint)
                    return Refused(
                        RefusalCode.UNKNOWN_TIMEZONE,
                        key,
                        value=value[:64],
                        suggestion=suggestion or "",
                        message=text,
                    )
                checked[key] = zone
                continue
            try:
                checked[key] = vocabulary.check(key, value)
            except UnknownValue as unknown:
                return Refused(RefusalCode.UNKNOWN_VALUE, message=unknown.message)
        return checked


def _removed(partner: Partner) -> Refused:
    removed_on = partner.removed_at.date() if partner.removed_at else None
    return Refused(RefusalCode.PARTNER_REMOVED, value=partner.name, removed_on=removed_on)
