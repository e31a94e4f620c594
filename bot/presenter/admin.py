"""The admin channel's topic commands, `cancel`, and acknowledgements (`acks <id>`, the button)."""

from __future__ import annotations

from datetime import datetime

from bot import messages as m
from bot.domain.conversation import Reply
from bot.domain.engagement import SendingLoad
from bot.domain.feedback import AckState
from bot.formats import moment
from bot.results import AckListing, Acknowledged, Cancelled, TopicAdded, TopicArchiveSet, TopicsOverview
from bot.safety import neutralize_mentions
from bot.timezones import zone_or


def topic_added_reply(added: TopicAdded) -> Reply:
    return Reply(text=m.TOPIC_ADDED.format(slug=added.topic.slug, title=added.topic.title), ephemeral=False)


def topic_archive_reply(changed: TopicArchiveSet) -> Reply:
    if changed.archived:
        return Reply(text=m.TOPIC_ARCHIVED.format(slug=changed.slug), ephemeral=False)
    if not changed.changed:
        return Reply(text=m.TOPIC_NOT_ARCHIVED.format(slug=changed.slug))
    return Reply(text=m.TOPIC_UNARCHIVED.format(slug=changed.slug), ephemeral=False)


def topics_overview_reply(overview: TopicsOverview) -> Reply:
    """Every topic with its followers; archived ones marked and counted in the header."""
    if not overview.topics:
        return Reply(text=m.ADMIN_NO_TOPICS)
    archived = sum(t.archived for t, _ in overview.topics)
    header = m.ADMIN_TOPICS_HEADER(len(overview.topics))
    header += m.ADMIN_TOPICS_ARCHIVED(archived) if archived else ""
    lines = [
        m.ADMIN_TOPIC_LINE.format(
            slug=t.slug,
            title=t.title,
            archived=m.ADMIN_TOPIC_ARCHIVED_MARK if t.archived else "",
            followers=m.ADMIN_TOPIC_FOLLOWERS(followers),
        )
        + _load(overview.loads.get(t.id), overview.days)
        for t, followers in overview.topics
    ]
    return Reply(text=header + "\n" + "\n".join(lines))


def cancelled_reply(cancelled: Cancelled) -> Reply:
    return Reply(
        text=m.CANCELLED.format(id=cancelled.announcement_id, title=cancelled.title), ephemeral=False
    )


def acknowledged_reply(acked: Acknowledged) -> Reply:
    """The answer to an "Acknowledge" press: thanks, already done (by whom, when), or not needed."""
    if not acked.needed:
        return Reply(text=m.ACK_NOT_NEEDED)
    earlier = acked.earlier
    if earlier is None:
        return Reply(text=m.ACK_THANKS)
    who = m.ACK_YOU if acked.by_caller else neutralize_mentions(earlier.who)
    return Reply(text=m.ACK_ALREADY.format(who=who, when=_when(earlier.acked_at, acked.timezone)))


def ack_listing_reply(listing: AckListing) -> Reply:
    """`acks <id>`: who has acknowledged (who, when) and who has not, by delivered channel."""
    announcement_id, states = listing.announcement_id, listing.states
    if not states:
        return Reply(text=m.ACKS_NONE_DELIVERED.format(id=announcement_id))
    done = [state for state in states if state.acked_by is not None]
    waiting = [state for state in states if state.acked_by is None]
    title = neutralize_mentions(listing.title)
    header = m.ACKS_HEADER.format(
        id=announcement_id, title=title, done=len(done), channels=m.CHANNELS(len(states))
    )
    lines = [header]
    if done:
        lines += ["", m.ACKS_DONE.format(count=len(done))]
        lines += [
            m.ACKS_DONE_LINE.format(
                **_fields(state), who=neutralize_mentions(state.who), when=_when(state.acked_at)
            )
            for state in done
        ]
    if waiting:
        lines += ["", m.ACKS_WAITING.format(count=len(waiting))]
        lines += [m.ACKS_WAITING_LINE.format(**_fields(state)) for state in waiting]
    return Reply(text="\n".join(lines))


def _fields(state: AckState) -> dict[str, str]:
    return {
        "partner": neutralize_mentions(state.partner_name) or m.ACKS_UNLINKED,
        "tier": neutralize_mentions(state.partner_tier) or "—",
        "platform": state.channel.platform.value,
        "channel": neutralize_mentions(state.channel_name),
    }


def _when(instant: datetime | None, timezone: str = "") -> str:
    """When, for the reader: in the channel's time zone when it has one, else UTC."""
    if instant is None:
        return "?"
    name, tz = zone_or(timezone or None, "UTC")
    return moment(instant, tz, zone_name=name)


def _load(load: SendingLoad | None, days: int) -> str:
    """ " · last 30 days: 12 delivered, 1 proactive action, 4 reactive actions": over-sending shows
    as many deliveries against few actions."""
    load = load or SendingLoad(days, 0, 0, 0)
    text = m.ADMIN_TOPIC_LOAD.format(
        days=days,
        delivered=load.received,
        proactive=m.PROACTIVE_ACTIONS(load.proactive),
        reactive=m.REACTIVE_ACTIONS(load.reactive),
    )
    return text + (m.CAPPED_SUFFIX(load.capped) if load.capped else "")
