"""An announcement shown in full under a search result ("Show"), as Slack can show it privately.

Its calls to action are URL buttons, as on the delivered copy: Slack opens the page and still sends a
`block_actions` payload, which the app acks and the core counts on the channel's copy
(`show_link_pressed`). An ephemeral message cannot carry uploaded files
(https://docs.slack.dev/reference/methods/chat.postEphemeral takes text and blocks only), so:

- images Slack's image block takes (PNG, JPEG, GIF) are shown from partnerbot's signed link
  (`<PARTNERBOT_PUBLIC_URL>/f/<token>`, made by the core, as for a draft's preview);
- every other file is named, with a link to the copy this channel received, where the files are
  (`chat.getPermalink`, https://docs.slack.dev/reference/methods/chat.getPermalink), or, without a
  copy, whom to ask;
- a file gone from partnerbot's storage is named and said to be gone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Final

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages as m
from bot.domain import FileShown, LinkButton, Reply
from bot.i18n import reading
from bot.services.preview_images import MAX_IMAGE_URL, SLACK_IMAGES

log = logging.getLogger(__name__)
Block = dict[str, Any]
MAX_BUTTON_LABEL: Final = 75
MAX_BUTTON_URL: Final = 3_000
MAX_IMAGE_TEXT: Final = 2_000
MAX_CONTEXT_TEXT: Final = 3_000
MAX_ACTION_ELEMENTS: Final = 25


def as_image(shown: FileShown) -> bool:
    """Whether Slack shows the file itself: an image it takes, at a signed link."""
    return (
        not shown.missing
        and shown.file.media_type in SLACK_IMAGES
        and 0 < len(shown.image_url) <= MAX_IMAGE_URL
    )


def needs_permalink(reply: Reply) -> bool:
    """Whether the reply names files only the delivered copy carries (and there is such a copy)."""
    return reply.delivered is not None and any(not f.missing and not as_image(f) for f in reply.files)


async def permalink(reply: Reply, client: AsyncWebClient) -> str:
    """The link to the copy this channel received, where Slack has one; "" otherwise (the copy was
    deleted, or Slack refused: the files are then named with whom to ask)."""
    if not needs_permalink(reply) or reply.delivered is None:
        return ""
    ref = reply.delivered
    try:
        found = await client.chat_getPermalink(channel=ref.channel.channel, message_ts=ref.message)
    except SlackApiError as exc:
        log.info("no permalink for %s in %s: %s", ref.message, ref.channel.channel, exc.response.get("error"))
        return ""
    except (TimeoutError, aiohttp.ClientError):
        log.warning("asking Slack for a permalink failed", exc_info=True)
        return ""
    link = found.get("permalink")
    return link if isinstance(link, str) and link.startswith("https://") else ""


def shown_blocks(reply: Reply, link: str, mrkdwn: Callable[[str], str]) -> list[Block]:
    """The link buttons, the images and the files line of a shown announcement (nothing for any
    other reply). `mrkdwn` is the adapter's converter for the core's neutral markup."""
    blocks: list[Block] = []
    if reply.links:
        elements = [_link_button(button, index) for index, button in enumerate(reply.links)]
        blocks += [
            {"type": "actions", "elements": elements[i : i + MAX_ACTION_ELEMENTS]}
            for i in range(0, len(elements), MAX_ACTION_ELEMENTS)
        ]
    blocks += [_image(f) for f in reply.files if as_image(f)]
    notes = files_notes(reply, link)
    if notes:
        text = mrkdwn("\n".join(notes))[:MAX_CONTEXT_TEXT]
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": text}]})
    return blocks


def files_notes(reply: Reply, link: str) -> list[str]:
    """What is said of the files Slack cannot show here: where they are, or that they are gone."""
    named = [f.file.name for f in reply.files if not f.missing and not as_image(f)]
    notes: list[str] = []
    with reading(reply.language):  # the reader's language, as the rest of the reply
        if named:
            names = ", ".join(named)
            notes.append(
                m.SHOW_FILES_IN_COPY(len(named), names=names, link=link)
                if link
                else m.SHOW_FILES_NO_COPY(len(named), names=names)
            )
        notes += [m.SHOW_FILE_GONE.format(name=f.file.name) for f in reply.files if f.missing]
    return notes


def _link_button(button: LinkButton, index: int) -> Block:
    """A URL button opening the page itself (as the delivered copy's do); the press is reported with
    `<action>:<value>` (unique in its block) so the click counts on the channel's copy."""
    element: Block = {
        "type": "button",
        "action_id": f"{button.action}:{button.value}" if button.action else f"link:{index}",
        "text": {"type": "plain_text", "text": button.label[:MAX_BUTTON_LABEL] or " ", "emoji": True},
        "url": button.url[:MAX_BUTTON_URL],
    }
    if index == 0:
        element["style"] = "primary"
    return element


def _image(shown: FileShown) -> Block:
    title = shown.file.name[:MAX_IMAGE_TEXT] or " "
    return {
        "type": "image",
        "image_url": shown.image_url,
        "alt_text": title,
        "title": {"type": "plain_text", "text": title, "emoji": True},
    }
