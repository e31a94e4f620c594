"""A draft's image under its Slack preview.

An image block shows an image from a public URL or a file already uploaded to Slack
(https://docs.slack.dev/reference/block-kit/blocks/image-block: `image_url` ≤ 3,000 characters, PNG,
JPEG or GIF; `alt_text` and `title` ≤ 2,000). A draft's files reach Slack only when it is sent, so
the preview shows the image from partnerbot's own signed link (`<PARTNERBOT_PUBLIC_URL>/f/<token>`,
made by the core); without a public URL, a line says why there is no image.
"""

from __future__ import annotations

from typing import Any, Final

from bot import messages as m
from bot.domain import DraftPreview
from bot.services.preview_images import MAX_IMAGE_URL, slack_image

MAX_IMAGE_TEXT: Final = 2_000
MAX_CONTEXT_TEXT: Final = 3_000


def preview_image_blocks(draft: DraftPreview) -> list[dict[str, Any]]:
    """An image block on the core's signed link to the draft's first image, else a context line
    saying the preview needs PARTNERBOT_PUBLIC_URL; nothing for a draft without an image."""
    image = slack_image(draft.files)
    if image is None:
        return []
    if not draft.image_url or len(draft.image_url) > MAX_IMAGE_URL:
        note = f"{m.THUMBNAIL_NEEDS_PUBLIC_URL}: {image.name}"
        return [{"type": "context", "elements": [{"type": "plain_text", "text": note[:MAX_CONTEXT_TEXT]}]}]
    title = image.name[:MAX_IMAGE_TEXT]
    return [
        {
            "type": "image",
            "image_url": draft.image_url,
            "alt_text": title,
            "title": {"type": "plain_text", "text": title, "emoji": True},
        }
    ]
