"""Admins keeping the roster: `partner <name>` (a card), `partner set`, `partner remove`, and `invite`
for a partner that may already exist. The chat commands and `partnerbot partners show|set|remove` both
come here, so they behave the same."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

from bot import messages as m
from bot.commands import Invite, PartnerRemove, PartnerSet, PartnerShow
from bot.domain.conversation import Invocation, RefusalCode, Reply
from bot.domain.directory import Partner, PartnerCard, PartnerProfile
from bot.domain.engagement import SendingLoad
from bot.lexer import closest
from bot.ports.clock import Clock
from bot.ports.directory import DirectoryStore
from bot.ports.outbox import OutboxStore
from bot.presenter.roster import profile_text as profile_text
from bot.presenter.roster import shown
from bot.results import Invited, Refused
from bot.settings import CoreSettings
from bot.timezones import canonical_zone, closest_zone
from bot.vocabulary import UnknownValue, load

_ATTRIBUTES = ("tier", "type", "region", "language")
# The partner card's over-sending line: announcements received per week against actions.
LOAD_WINDOW = timedelta(days=30)


def _error(text: str) -> Reply:
    return Reply(text=text, is_error=True)


@dataclass(frozen=True, slots=True)
class Changed:
    """What `partner set` did: the partner as it is now and the (key, old, new) that changed."""

    partner: Partner
    changes: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True, slots=True)
class PartnerAdminPorts:
    """The ports PartnerAdminService uses (bot/core.py wires them)."""

    directory: DirectoryStore
    outbox: OutboxStore


class PartnerAdminService:
    def __init__(
        self, ports: PartnerAdminPorts, clock: Clock, settings: CoreSettings, *, join_code: Callable[[], str]
    ) -> None:
        self._stores = ports
        self._clock = clock
        self._settings = settings
        self._join_code = join_code

    # --- lookup --------------------------------------------------------------------------------

    async def find(self, name: str) -> Partner | str:
        """The partner called `name` (removed ones too), or the refusal with a did-you-mean."""
        partner = await self._stores.directory.partner_by_name(name.strip())
        if partner is not None:
            return partner
        names = {n.lower(): n for n in await self._stores.directory.partner_names()}
        suggestion = closest(name.strip(), names)
        hint = m.DID_YOU_MEAN.format(suggestion=names[suggestion]) + " " if suggestion else ". "
        return m.NO_SUCH_PARTNER.format(name=name.strip()[:200], did_you_mean=hint)

    async def card(self, name: str) -> PartnerCard | str:
        found = await self.find(name)
        if isinstance(found, str):
            return found
        card = await self._stores.directory.partner_card(found.id)
        if card is None:
            return m.NO_SUCH_PARTNER.format(name=name, did_you_mean=". ")
        now = self._clock.now()
        load = await self._stores.directory.partner_load(found.id, since=now - LOAD_WINDOW, until=now)
        return replace(card, load=load)

    # --- chat commands -------------------------------------------------------------------------

    async def show(self, cmd: PartnerShow) -> Reply:
        card = await self.card(cmd.name)
        if isinstance(card, str):
            return _error(card)
        return Reply(text=card_text(card))

    async def set(self, cmd: PartnerSet) -> Reply:
        result = await self.update(cmd.name, dict(cmd.values))
        if isinstance(result, str):
            return _error(result)
        return Reply(text=changed_text(result), ephemeral=False)

    async def remove(self, cmd: PartnerRemove) -> Reply:
        result = await self.remove_partner(cmd.name)
        if isinstance(result, str):
            return _error(result)
        partner, channels = result
        return Reply(text=removed_text(partner.name, channels), ephemeral=False)

    # --- use-cases (also the CLI's) --------------------------------------------------------------

    async def update(self, name: str, values: dict[str, str]) -> Changed | str:
        """Check `values` (tier, type, region, language, timezone) and apply them; the changes, or why not."""
        found = await self.find(name)
        if isinstance(found, str):
            return found
        if found.removed_at is not None:
            return m.PARTNER_REMOVED_ALREADY.format(name=found.name, removed=f"{found.removed_at:%Y-%m-%d}")
        if not values:
            return m.PARTNER_SET_NOTHING.format(name=found.name)
        checked = await self._checked(values)
        if isinstance(checked, str):
            return checked
        current = found.profile()
        changes = tuple((k, current[k], v) for k, v in checked.items() if current[k] != v)
        if not changes:
            same = ", ".join(m.PARTNER_SAME.format(key=k, value=shown(v)) for k, v in checked.items())
            return m.PARTNER_SET_SAME.format(name=found.name, changes=same)
        updated = await self._stores.directory.update_partner(found.id, {k: new for k, _, new in changes})
        return Changed(updated or found, changes)

    async def remove_partner(self, name: str) -> tuple[Partner, int] | str:
        """Mark removed, channels off, pending deliveries failed; (partner, channels switched off)."""
        found = await self.find(name)
        if isinstance(found, str):
            return found
        channel_ids = await self._stores.directory.remove_partner(found.id, now=self._clock.now())
        if channel_ids is None:
            removed = f"{found.removed_at:%Y-%m-%d}" if found.removed_at else "?"
            return m.PARTNER_REMOVED_ALREADY.format(name=found.name, removed=removed)
        for channel_id in channel_ids:
            await self._stores.outbox.fail_pending_for_channel(channel_id, reason="partner removed")
        return found, len(channel_ids)

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
        if isinstance(checked, str):
            return Refused(RefusalCode.UNKNOWN_VALUE, message=checked)
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

    async def _checked(self, values: dict[str, str]) -> dict[str, str] | str:
        vocabulary = await load(self._stores.directory, self._settings)
        checked: dict[str, str] = {}
        for key, value in values.items():
            if key == "timezone":
                zone = canonical_zone(value.strip())
                if zone is None:
                    suggestion = closest_zone(value)
                    hint = m.DID_YOU_MEAN.format(suggestion=suggestion) if suggestion else "."
                    return m.BAD_PARTNER_TIMEZONE.format(value=value[:64], did_you_mean=hint)
                checked[key] = zone
                continue
            try:
                checked[key] = vocabulary.check(key, value)
            except UnknownValue as unknown:
                return unknown.message
        return checked


def card_text(card: PartnerCard) -> str:
    p = card.partner
    activity = m.ACTIVITY_NONE
    if card.last_feedback and (card.last_delivery is None or card.last_feedback >= card.last_delivery):
        activity = m.ACTIVITY_FEEDBACK.format(when=card.last_feedback)
    elif card.last_delivery:
        activity = m.ACTIVITY_DELIVERY.format(when=card.last_delivery)
    removed = m.PARTNER_CARD_REMOVED.format(removed=f"{p.removed_at:%Y-%m-%d}") if p.removed_at else ""
    lines = [
        m.PARTNER_CARD.format(
            name=p.name,
            removed=removed,
            tier=shown(p.tier),
            type=shown(p.type),
            region=shown(p.region),
            language=shown(p.language),
            timezone=shown(p.timezone),
            activity=activity,
        )
    ]
    if not card.channels:
        lines.append(m.PARTNER_NO_CHANNELS.format(name=p.name))
    else:
        lines.append(m.PARTNER_CHANNELS(len(card.channels)))
        for item in card.channels:
            c = item.channel
            state = (
                m.CHANNEL_ACTIVE
                if c.active
                else m.CHANNEL_INACTIVE.format(reason=item.deactivated_reason or "?")
            )
            lines.append(
                m.PARTNER_CHANNEL_LINE.format(
                    platform=c.ref.platform.value,
                    channel=c.name or c.ref.channel,
                    state=state,
                    mode=c.mode.value,
                    topics=", ".join(item.topics) or m.NO_TOPICS,
                )
            )
    if card.load is not None:
        lines.append(load_text(card.load))
    return "\n".join(lines)


def load_text(load: SendingLoad) -> str:
    """ "• last 30 days: 9 announcements received (2.1 a week) · 1 proactive action, 3 reactive actions"."""
    return m.PARTNER_LOAD.format(
        days=load.days,
        received=m.ANNOUNCEMENTS_RECEIVED(load.received),
        per_week=f"{load.per_week:.1f}",
        proactive=m.PROACTIVE_ACTIONS(load.proactive),
        reactive=m.REACTIVE_ACTIONS(load.reactive),
    )


def changed_text(result: Changed) -> str:
    changes = ", ".join(
        m.PARTNER_CHANGE.format(key=key, old=shown(old), new=shown(new)) for key, old, new in result.changes
    )
    return m.PARTNER_UPDATED.format(name=result.partner.name, changes=changes)


def removed_text(name: str, channels: int) -> str:
    """What `partner remove` did: with no channel to switch off, a plural sentence would not fit."""
    if channels == 0:
        return m.PARTNER_REMOVED_NO_CHANNELS.format(name=name)
    return m.PARTNER_REMOVED(channels, name=name)
