"""The roster: `invite` (a join code) and a partner's profile in words."""

from __future__ import annotations

from bot import messages as m
from bot.domain.conversation import Reply
from bot.domain.directory import Partner, PartnerProfile
from bot.results import Invited


def invited_reply(invited: Invited) -> Reply:
    """The join code and how the partner uses it; `join_code` carries it for the CLI and adapters."""
    p, code, expires = invited.partner, invited.code, f"{invited.expires:%Y-%m-%d}"
    if invited.removed_on is not None:
        text = m.INVITE_RESTORED.format(
            name=p.name,
            removed=f"{invited.removed_on:%Y-%m-%d}",
            profile=profile_text(p),
            code=code,
            expires=expires,
        )
    elif invited.existed:
        text = m.INVITE_EXISTS_CODE.format(name=p.name, profile=profile_text(p), code=code, expires=expires)
    else:
        text = m.INVITE_CREATED.format(name=p.name, tier=p.tier, code=code, expires=expires)
    return Reply(text=text, join_code=code)


def profile_text(partner: Partner | PartnerProfile) -> str:
    """`tier gold · type reseller · region emea · language en` ("none" for a blank)."""
    return m.PROFILE.format(
        tier=shown(partner.tier),
        type=shown(partner.type),
        region=shown(partner.region),
        language=shown(partner.language),
    )


def shown(value: str) -> str:
    return value or m.NONE_VALUE
