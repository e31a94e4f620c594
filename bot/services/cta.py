"""Calls to action: the buttons each copy shows, the clicks on them, and the signed redirect links.

Slack's URL buttons and Discord's normal buttons tell partnerbot of a click (`pressed`); Discord's
link buttons and links in digests tell nothing, so when PARTNERBOT_PUBLIC_URL is set they point at
partnerbot's redirect `<public URL>/r/<token>` (`followed`), which counts the click and sends the
browser on. The token names the announcement, the CTA's number and the delivered copy, signed with
HMAC-SHA256 under a key the root derives from PARTNERBOT_SECRET_KEY: it cannot be made up or altered,
and it leads only to the URL stored for that CTA of that announcement — never an open redirect.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.conversation import RefusalCode
from bot.domain.cta import CallToAction
from bot.domain.refs import Platform
from bot.domain.sending import CtaButton
from bot.ports.clock import Clock
from bot.ports.cta import CtaStore
from bot.ports.feedback import FeedbackStore
from bot.results import CtaOpened, Refused

REDIRECT_PATH = "/r/"
_SIGNATURE_BYTES = 18  # 144 bits, 24 characters of base64url
_TOKEN = re.compile(r"^([1-9][0-9]{0,17})\.([1-9])\.([1-9][0-9]{0,17})\.([A-Za-z0-9_-]{24})$")


@dataclass(frozen=True, slots=True)
class CtaTarget:
    """What a redirect token names: CTA `number` of `announcement_id`, as delivered in `delivery_id`."""

    announcement_id: int
    number: int
    delivery_id: int


class CtaLinks:
    """Signs and reads redirect tokens. `keys`: the first signs; any of them verifies (so a key can be
    rotated, as PARTNERBOT_SECRET_KEY's list is); `base_url`: PARTNERBOT_PUBLIC_URL."""

    def __init__(self, base_url: str, keys: Sequence[bytes]) -> None:
        if not keys or not all(keys):
            raise ValueError("CtaLinks needs at least one non-empty key")
        self._base = base_url.rstrip("/")
        self._keys = tuple(keys)

    def link(self, target: CtaTarget) -> str:
        return f"{self._base}{REDIRECT_PATH}{self.token(target)}"

    def token(self, target: CtaTarget) -> str:
        payload = f"{target.announcement_id}.{target.number}.{target.delivery_id}"
        return f"{payload}.{_sign(self._keys[0], payload)}"

    def read(self, token: str) -> CtaTarget | None:
        """The target of a genuine token; None for anything else (altered, made up, malformed)."""
        found = _TOKEN.match(token)
        if found is None:
            return None
        payload = token.rsplit(".", 1)[0]
        signature = found.group(4)
        if not any(hmac.compare_digest(_sign(key, payload), signature) for key in self._keys):
            return None
        return CtaTarget(int(found.group(1)), int(found.group(2)), int(found.group(3)))


def _sign(key: bytes, payload: str) -> str:
    digest = hmac.new(key, f"partnerbot cta {payload}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:_SIGNATURE_BYTES]).decode().rstrip("=")


def buttons(
    ctas: Sequence[CallToAction], *, announcement_id: int, delivery_id: int, links: CtaLinks | None
) -> tuple[CtaButton, ...]:
    """The CTAs as one delivered copy shows them, each with its counted redirect when links are on."""
    if not ctas:  # most announcements: no generator to build per delivered copy
        return ()
    return tuple(
        CtaButton(
            number,
            cta.label,
            cta.url,
            links.link(CtaTarget(announcement_id, number, delivery_id)) if links and delivery_id else None,
        )
        for number, cta in enumerate(ctas, start=1)
    )


def linked(
    ctas: Sequence[CtaButton], *, announcement_id: int, delivery_id: int, links: CtaLinks | None
) -> tuple[CtaButton, ...]:
    """`ctas` with their counted redirects (a digest's items, read without them)."""
    return buttons(
        [CallToAction(cta.label, cta.url) for cta in ctas],
        announcement_id=announcement_id,
        delivery_id=delivery_id,
        links=links,
    )


@dataclass(frozen=True, slots=True)
class CtaPorts:
    ctas: CtaStore
    feedback: FeedbackStore  # which delivered copy a platform message is


class CtaService:
    def __init__(self, ports: CtaPorts, clock: Clock, links: CtaLinks | None = None) -> None:
        self._ports = ports
        self._clock = clock
        self.links = links

    async def pressed(
        self, *, platform: Platform, channel: str, message: str, announcement_id: int, number: int, user: str
    ) -> CtaOpened | Refused:
        """A CTA button pressed under the delivered copy `message` in `channel`: one click counted,
        and the CTA returned (a Discord button answers with its link)."""
        hit = await self._ports.feedback.delivery_by_message(platform, channel, message)
        if hit is None or hit.announcement_id != announcement_id:
            return Refused(RefusalCode.NOT_AN_ANNOUNCEMENT)
        cta = await self._ports.ctas.click(
            delivery_id=hit.delivery_id,
            announcement_id=announcement_id,
            number=number,
            user=user,
            now=self._clock.now(),
        )
        return Refused(RefusalCode.NOT_AN_ANNOUNCEMENT) if cta is None else CtaOpened(cta.label, cta.url)

    async def followed(self, token: str) -> str | None:
        """A redirect link was opened: the click counted, and the URL to send the browser to; None
        (nothing counted) for a token that is not genuine or names no stored CTA of that copy."""
        target = self.links.read(token) if self.links else None
        if target is None:
            return None
        cta = await self._ports.ctas.click(
            delivery_id=target.delivery_id,
            announcement_id=target.announcement_id,
            number=target.number,
            user=None,
            now=self._clock.now(),
        )
        return None if cta is None else cta.url
