"""The preview's image on Slack: a signed, expiring link `<public URL>/f/<token>` to a draft's image
(and, for "Show" under a search result, to a sent announcement's images: bot/services/search.py).

Slack shows an image block only from a public URL (or a file already uploaded to Slack), so with
PARTNERBOT_PUBLIC_URL set a draft's preview links to partnerbot's own `/f/<token>` (adapters/web).
The token names the announcement, the file's SHA-256 and when the link expires, signed with
HMAC-SHA256 under a key the root derives from PARTNERBOT_SECRET_KEY: it cannot be made up, altered
or stretched, and it serves only an image of that announcement, never any other stored file.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.domain.files import Attachment
from bot.ports.announcements import AnnouncementStore
from bot.ports.clock import Clock
from bot.ports.files import FileMissing, FileStore

log = logging.getLogger(__name__)

FILE_PATH = "/f/"
# How long a preview's image link works: a draft is looked at, then sent or cancelled, within a day.
LINK_TTL = timedelta(hours=24)
# Slack's image block takes PNG, JPEG and GIF (https://docs.slack.dev/reference/block-kit/blocks/image-block).
SLACK_IMAGES = frozenset({"image/png", "image/jpeg", "image/gif"})
MAX_IMAGE_URL = 3000  # characters, Slack's limit on an image block's `image_url`
_SIGNATURE_BYTES = 18  # 144 bits, 24 characters of base64url
_TOKEN = re.compile(r"^([1-9][0-9]{0,17})\.([0-9a-f]{64})\.([1-9][0-9]{0,11})\.([A-Za-z0-9_-]{24})$")


@dataclass(frozen=True, slots=True)
class ImageTarget:
    """What a token names: the file `sha256` of `announcement_id`, until `expires` (Unix seconds)."""

    announcement_id: int
    sha256: str
    expires: int


@dataclass(frozen=True, slots=True)
class PreviewImage:
    """The bytes a genuine, unexpired link serves, and their stored type."""

    data: bytes
    media_type: str


class ImageLinks:
    """Signs and reads image tokens. `keys`: the first signs, any verifies (rotation, as
    PARTNERBOT_SECRET_KEY's list); `base_url`: PARTNERBOT_PUBLIC_URL."""

    def __init__(self, base_url: str, keys: Sequence[bytes], *, ttl: timedelta = LINK_TTL) -> None:
        if not keys or not all(keys):
            raise ValueError("ImageLinks needs at least one non-empty key")
        self._base = base_url.rstrip("/")
        self._keys = tuple(keys)
        self._ttl = ttl

    def link(self, announcement_id: int, sha256: str, now: datetime) -> str:
        expires = int((now + self._ttl).timestamp())
        return f"{self._base}{FILE_PATH}{self.token(ImageTarget(announcement_id, sha256, expires))}"

    def token(self, target: ImageTarget) -> str:
        payload = f"{target.announcement_id}.{target.sha256}.{target.expires}"
        return f"{payload}.{_sign(self._keys[0], payload)}"

    def read(self, token: str, now: datetime) -> ImageTarget | None:
        """The target of a genuine token not yet expired; None for anything else."""
        found = _TOKEN.match(token)
        if found is None:
            return None
        payload = token.rsplit(".", 1)[0]
        if not any(hmac.compare_digest(_sign(key, payload), found.group(4)) for key in self._keys):
            return None
        target = ImageTarget(int(found.group(1)), found.group(2), int(found.group(3)))
        return target if now.astimezone(UTC).timestamp() < target.expires else None


def _sign(key: bytes, payload: str) -> str:
    digest = hmac.new(key, f"partnerbot preview image {payload}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:_SIGNATURE_BYTES]).decode().rstrip("=")


def slack_image(files: Sequence[Attachment]) -> Attachment | None:
    """The first file Slack's image block can show."""
    return next((f for f in files if f.media_type in SLACK_IMAGES), None)


class PreviewImageService:
    """Links to a draft's image for its preview, and the bytes behind a link."""

    def __init__(
        self, announcements: AnnouncementStore, store: FileStore, clock: Clock, links: ImageLinks
    ) -> None:
        self._announcements = announcements
        self._store = store
        self._clock = clock
        self._links = links

    def url(self, announcement_id: int, files: Sequence[Attachment]) -> str:
        """The signed link to the draft's first Slack-showable image; "" when it has none (or the
        public URL makes the link longer than Slack takes)."""
        image = slack_image(files)
        if image is None:
            return ""
        url = self._links.link(announcement_id, image.sha256, self._clock.now())
        return url if len(url) <= MAX_IMAGE_URL else ""

    async def image(self, token: str) -> PreviewImage | None:
        """The image a link names, if the token is genuine and unexpired and the file is an image of
        that announcement still in the store; None otherwise (the web adapter answers 404)."""
        target = self._links.read(token, self._clock.now())
        if target is None:
            return None
        announcement = await self._announcements.get(target.announcement_id)
        files = announcement.files if announcement else ()
        image = next((f for f in files if f.sha256 == target.sha256 and f.media_type in SLACK_IMAGES), None)
        if image is None:
            return None
        try:
            return PreviewImage(await self._store.read(sha256=image.sha256), image.media_type)
        except (FileMissing, OSError):
            log.warning("a preview image is gone from the file store: %s", image.sha256)
            return None
