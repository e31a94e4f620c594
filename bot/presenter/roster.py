"""The roster: `invite` (a join code), a partner's card, `partner set`, `partner remove`, and a
partner's profile in words. The chat and `partnerbot partners show|set|remove` use the same words."""

from __future__ import annotations

from bot import formats
from bot import messages as m
from bot.domain.conversation import Reply
from bot.domain.directory import Partner, PartnerCard, PartnerProfile
from bot.domain.engagement import PartnerEngagement, SendingLoad
from bot.formats import day, moment
from bot.results import Invited, PartnerChanged, PartnerRemoved, PartnerShown, PartnerUnchanged


def invited_reply(invited: Invited) -> Reply:
    """The join code and how the partner uses it; `join_code` carries it for the CLI and adapters."""
    p, code, expires = invited.partner, invited.code, day(invited.expires)
    if invited.removed_on is not None:
        text = m.INVITE_RESTORED.format(
            name=p.name,
            removed=day(invited.removed_on),
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


def partner_shown_reply(shown_: PartnerShown) -> Reply:
    return Reply(text=card_text(shown_.card))


def partner_changed_reply(changed: PartnerChanged) -> Reply:
    return Reply(text=changed_text(changed), ephemeral=False)


def partner_unchanged_reply(same: PartnerUnchanged) -> Reply:
    """Nothing to change is an error: the admin asked for a change that did not happen."""
    values = ", ".join(m.PARTNER_SAME.format(key=k, value=shown(v)) for k, v in same.values)
    return Reply(text=m.PARTNER_SET_SAME.format(name=same.name, changes=values), is_error=True)


def partner_removed_reply(removed: PartnerRemoved) -> Reply:
    return Reply(text=removed_text(removed.partner.name, removed.channels), ephemeral=False)


def card_text(card: PartnerCard) -> str:
    p = card.partner
    activity = m.ACTIVITY_NONE
    if card.last_feedback and (card.last_delivery is None or card.last_feedback >= card.last_delivery):
        activity = m.ACTIVITY_FEEDBACK.format(when=moment(card.last_feedback))
    elif card.last_delivery:
        activity = m.ACTIVITY_DELIVERY.format(when=moment(card.last_delivery))
    # The card lists the partner's latest actions below (subscribed, searched news…): "last activity"
    # must not say "none yet", or name an older delivery, above a later action of its own.
    latest = card.engagement.recent[0] if card.engagement and card.engagement.recent else None
    known = [at for at in (card.last_feedback, card.last_delivery) if at is not None]
    if latest is not None and all(latest.at > at for at in known):
        action = m.ENGAGEMENT_ACTIONS[latest.kind.value]
        activity = m.ACTIVITY_ACTION.format(when=moment(latest.at), action=action)
    removed = m.PARTNER_CARD_REMOVED.format(removed=day(p.removed_at.date())) if p.removed_at else ""
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
    if card.engagement is not None:
        lines += engagement_lines(card.engagement)
    if card.load is not None:
        lines.append(load_text(card.load))
    return "\n".join(lines)


# A score that moved by less than this is "steady" (the score is shown to one decimal).
STEADY_BELOW = 1.0


def engagement_lines(e: PartnerEngagement) -> list[str]:
    """ "• engagement score over the last 90 days: 90, up 30 from 60 the 90 days before (…)", then the
    latest actions, newest first."""
    change = e.score - e.previous_score
    values = {"change": number(abs(change)), "previous": number(e.previous_score), "days": e.window_days}
    if abs(change) < STEADY_BELOW:
        trend = m.PARTNER_TREND_STEADY.format(**values)
    else:
        trend = (m.PARTNER_TREND_UP if change > 0 else m.PARTNER_TREND_DOWN).format(**values)
    lines = [m.PARTNER_SCORE.format(days=e.window_days, score=number(e.score), trend=trend)]
    if not e.recent:
        return [*lines, m.PARTNER_NO_ACTIONS]
    lines.append(m.PARTNER_RECENT(len(e.recent)))
    for action in e.recent:
        about = ""
        if action.announcement is not None:
            about = m.PARTNER_ACTION_ANNOUNCEMENT.format(title=action.announcement)
        elif action.topic is not None:
            about = m.PARTNER_ACTION_TOPIC.format(slug=action.topic)
        when = moment(action.at)
        lines.append(
            m.PARTNER_ACTION_LINE.format(
                when=when, action=m.ENGAGEMENT_ACTIONS[action.kind.value], about=about
            )
        )
    return lines


def number(value: float) -> str:
    """A score as `engagement` shows it: 90, 12.5."""
    return formats.number(round(value, 1))


def load_text(load: SendingLoad) -> str:
    """ "• last 30 days: 9 announcements received (2.1 a week) · 1 proactive action, 3 reactive actions"."""
    return m.PARTNER_LOAD.format(
        days=load.days,
        received=m.ANNOUNCEMENTS_RECEIVED(load.received),
        per_week=f"{load.per_week:.1f}",
        proactive=m.PROACTIVE_ACTIONS(load.proactive),
        reactive=m.REACTIVE_ACTIONS(load.reactive),
    )


def changed_text(result: PartnerChanged) -> str:
    changes = ", ".join(
        m.PARTNER_CHANGE.format(key=key, old=shown(old), new=shown(new)) for key, old, new in result.changes
    )
    return m.PARTNER_UPDATED.format(name=result.partner.name, changes=changes)


def removed_text(name: str, channels: int) -> str:
    """What `partner remove` did: with no channel to switch off, a plural sentence would not fit."""
    if channels == 0:
        return m.PARTNER_REMOVED_NO_CHANNELS.format(name=name)
    return m.PARTNER_REMOVED(channels, name=name)
