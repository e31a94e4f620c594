"""`news search` results and the "Show" button's full announcement."""

from __future__ import annotations

from bot import messages as m
from bot.domain.conversation import Button, Reply, Row
from bot.formats import local_day
from bot.results import AnnouncementGone, AnnouncementShown, NewsFound

# The "Show" button under each search result (value: the announcement id); adapters route on it.
SHOW_ACTION = "news_show"


def news_found_reply(found: NewsFound) -> Reply:
    """One row per result — title, date, topics and the snippet — each with its "Show" button."""
    if not found.found:
        return Reply(text=m.NO_SEARCH_RESULTS.format(words=found.words))
    text = m.NEWS_FOUND_HEADER(len(found.found), words=found.words)
    if found.more:
        text += "\n" + m.NEWS_FOUND_MORE.format(n=len(found.found))
    rows = tuple(
        Row(
            text=m.NEWS_FOUND_ITEM.format(
                title=item.title,
                date=local_day(item.sent, found.timezone),
                topics=", ".join(f"`{slug}`" for slug in item.topics),
                snippet=item.snippet,
            ),
            button=Button(m.SHOW_BUTTON, SHOW_ACTION, str(item.announcement_id)),
        )
        for item in found.found
    )
    return Reply(text=text, rows=rows)


def announcement_shown_reply(shown: AnnouncementShown) -> Reply:
    """The announcement as partners got it, only to who pressed "Show": its links and file names
    follow the text."""
    lines = [
        m.NEWS_ITEM.format(
            title=shown.title,
            date=local_day(shown.sent, shown.timezone),
            topics=", ".join(f"`{slug}`" for slug in shown.topics),
            body=shown.body,
        )
    ]
    lines += [m.SHOW_LINK.format(label=cta.label, url=cta.url) for cta in shown.ctas]
    if shown.files:
        lines.append(m.SHOW_FILES(len(shown.files), names=", ".join(f.name for f in shown.files)))
    return Reply(text="\n".join(lines))


def announcement_gone_reply(_gone: AnnouncementGone) -> Reply:
    return Reply(text=m.SHOW_GONE, is_error=True)
