"""Saved audiences and test sends in words: `audience save|list|show|delete`, `test <id>`."""

from __future__ import annotations

from bot import messages as m
from bot.domain.announcements import Announcement, AnnouncementStatus, Audience, Reach
from bot.domain.audiences import SavedAudience
from bot.domain.conversation import Reply
from bot.formats import moment
from bot.presenter.files import files_refused_reply
from bot.presenter.refusals import refusal_reply
from bot.results import (
    AudienceDeleted,
    AudienceInUse,
    AudienceReach,
    AudienceResult,
    AudienceSaved,
    AudienceShown,
    AudiencesListed,
    FilesRefused,
    Refused,
    TestQueued,
)

_KEYS = ("tier", "type", "region", "language")


def audience_reply(result: AudienceResult) -> Reply:
    """The reply for any result of the saved-audience and test-send use-cases."""
    match result:
        case AudienceSaved():
            return saved_reply(result)
        case AudiencesListed():
            return listed_reply(result)
        case AudienceShown():
            return shown_reply(result)
        case AudienceDeleted():
            return Reply(text=m.AUDIENCE_DELETED.format(name=result.name))
        case AudienceInUse():
            return in_use_reply(result)
        case TestQueued():
            where = m.TEST_CHANNEL if result.elsewhere else m.TEST_HERE
            text = m.TEST_QUEUED.format(id=result.announcement_id, title=result.title, channel=where)
            return Reply(text=text, ephemeral=True)
        case FilesRefused():
            return files_refused_reply(result)
        case Refused():
            return refusal_reply(result)
    raise AssertionError(f"unhandled audience result {result!r}")


def filters_words(audience: Audience) -> str:
    """`tier: gold · region: emea`, or "all partners"."""
    values = _values(audience)
    parts = [m.AUDIENCE_FILTER.format(key=key, values=", ".join(values[key])) for key in _KEYS if values[key]]
    return m.AUDIENCE_FILTER_SEP.join(parts) if parts else m.AUDIENCE_EVERYONE


def saved_words(saved: SavedAudience) -> str:
    """Its filters, then its topics when it names some."""
    words = filters_words(saved.audience)
    if saved.topics:
        words += m.AUDIENCE_FILTER_SEP + m.AUDIENCE_TOPICS.format(topics=", ".join(saved.topics))
    return words


def reference_words(announcement: Announcement) -> str:
    """A broadcast to a saved audience, in its preview: resolved when sent while it is a draft."""
    assert announcement.audience_name is not None
    template = (
        m.AUDIENCE_REFERENCE if announcement.status is AnnouncementStatus.DRAFT else m.AUDIENCE_REFERENCE_SENT
    )
    return template.format(name=announcement.audience_name, filters=filters_words(announcement.audience))


def saved_reply(result: AudienceSaved) -> Reply:
    saved, before = result.saved, result.before
    reach = _reach(result.reach)
    if before is None:
        usage = (m.AUDIENCE_USAGE if saved.topics else m.AUDIENCE_USAGE_TOPIC).format(name=saved.name)
        text = m.AUDIENCE_SAVED.format(name=saved.name, filters=saved_words(saved), reach=reach, usage=usage)
        return Reply(text=text)
    changes = _changes(before, saved)
    if not changes:
        return Reply(text=m.AUDIENCE_UNCHANGED.format(name=saved.name, filters=saved_words(saved)))
    return Reply(text=m.AUDIENCE_REPLACED.format(name=saved.name, changes="; ".join(changes), reach=reach))


def listed_reply(result: AudiencesListed) -> Reply:
    if not result.items:
        return Reply(text=m.AUDIENCE_LIST_NONE)
    lines = [m.AUDIENCE_LIST_HEADER(len(result.items))]
    lines += [_line(item) for item in result.items]
    return Reply(text="\n".join(lines))


def shown_reply(result: AudienceShown) -> Reply:
    saved, reach = result.item.saved, result.item.reach
    when = moment(saved.updated_at) if saved.updated_at else "?"
    shown_reach = m.AUDIENCE_SHOWN_REACH.format(
        channels=m.CHANNELS(reach.channels), partners=m.PARTNERS(reach.partners)
    )
    text = m.AUDIENCE_SHOWN.format(
        name=saved.name, filters=saved_words(saved), reach=shown_reach, when=when, who=saved.updated_by or "?"
    )
    return Reply(text=text)


def in_use_reply(result: AudienceInUse) -> Reply:
    drafts = ", ".join(m.AUDIENCE_DRAFT.format(id=u.announcement_id, title=u.title) for u in result.users)
    return Reply(text=m.AUDIENCE_IN_USE(len(result.users), name=result.name, drafts=drafts), is_error=True)


def _line(item: AudienceReach) -> str:
    return m.AUDIENCE_LIST_LINE.format(
        name=item.saved.name, filters=saved_words(item.saved), reach=_reach(item.reach)
    )


def _reach(reach: Reach) -> str:
    return m.AUDIENCE_REACH.format(channels=m.CHANNELS(reach.channels), partners=m.PARTNERS(reach.partners))


def _values(audience: Audience) -> dict[str, list[str]]:
    return {
        "tier": sorted(audience.tiers),
        "type": sorted(audience.types),
        "region": sorted(audience.regions),
        "language": sorted(audience.languages),
    }


def _changes(before: SavedAudience, after: SavedAudience) -> list[str]:
    """What replacing `before` with `after` changed, key by key: `tier gold → gold, platinum`."""
    old, new = _values(before.audience), _values(after.audience)
    old["topic"], new["topic"] = sorted(before.topics), sorted(after.topics)
    changes = []
    for key in (*_KEYS, "topic"):
        if old[key] != new[key]:
            nothing = m.AUDIENCE_NONE_TOPICS if key == "topic" else m.AUDIENCE_ANY
            shown_old = ", ".join(old[key]) or nothing
            shown_new = ", ".join(new[key]) or nothing
            changes.append(m.AUDIENCE_CHANGE.format(key=key, old=shown_old, new=shown_new))
    return changes
