"""`news search` results and the "Show" button's full announcement."""

from __future__ import annotations

from bot import messages as m
from bot.domain.conversation import Button, LinkButton, Reply, Row
from bot.formats import local_day
from bot.i18n import reading
from bot.results import AnnouncementGone, AnnouncementShown, NewsFound

# The "Show" button under each search result (value: the announcement id); adapters route on it.
SHOW_ACTION = "news_show"
# A call to action under "Show", on platforms whose link buttons report a press (Slack): the value is
# `<announcement>:<number>`, and the core counts the click on the channel's copy.
SHOW_LINK_ACTION = "news_show_link"


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
    """The announcement as partners got it, only to who pressed "Show": its text, and its calls to
    action and files for each adapter to render (link buttons, uploads or images; readable lines in
    the console: `show_lines`)."""
    text = m.NEWS_ITEM.format(
        title=shown.title,
        date=local_day(shown.sent, shown.timezone),
        topics=", ".join(f"`{slug}`" for slug in shown.topics),
        body=shown.body,
    )
    links = tuple(
        LinkButton(
            cta.label,
            cta.url,
            tracked=cta.link or "",
            action=SHOW_LINK_ACTION,
            value=f"{shown.announcement_id}:{cta.number}",
        )
        for cta in shown.ctas
    )
    return Reply(text=text, links=links, files=shown.files, delivered=shown.delivered)


def show_lines(reply: Reply) -> list[str]:
    """A shown announcement's links and files as lines of text, for adapters without buttons or
    uploads (the console): each link with its address, the files by name, and a file gone from the
    store said so."""
    with reading(reply.language):  # the reader's language, as the rest of the reply
        lines = [m.SHOW_LINK.format(label=link.label, url=link.tracked or link.url) for link in reply.links]
        present = [f.file.name for f in reply.files if not f.missing]
        if present:
            lines.append(m.SHOW_FILES(len(present), names=", ".join(present)))
        lines += [m.SHOW_FILE_GONE.format(name=f.file.name) for f in reply.files if f.missing]
    return lines


def announcement_gone_reply(_gone: AnnouncementGone) -> Reply:
    return Reply(text=m.SHOW_GONE, is_error=True)
