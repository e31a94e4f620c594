"""Calls to action: up to three link buttons under an announcement ("Register now" → https://…).

The rules hold for every way an admin writes one (`cta:"Label|URL"` in chat, the modals, `--cta` in
the CLI), so a CTA a target platform cannot show is refused in the preview, never at send time:

- the label: 1 to 75 characters — Slack's limit for a button's text (Discord's is 80);
  https://docs.slack.dev/reference/block-kit/block-elements/button-element
- the URL: absolute `http`/`https` with a host, at most 1,900 characters, so that it fits with its
  label in one Discord message (2,000) when a button answers with the link (a Slack button's `url`
  takes 3,000). Discord's link buttons take 512, but partnerbot never puts the URL itself into one:
  they carry its short signed redirect (`…/r/<token>`), or a normal button answers with the link.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

MAX_CTAS = 3
MAX_CTA_LABEL = 75
MAX_CTA_URL = 1900
CTA_SEPARATOR = "|"


@dataclass(frozen=True, slots=True)
class CallToAction:
    """One link button; its place among the announcement's CTAs (0, 1, 2) is its `index`."""

    label: str
    url: str


@dataclass(frozen=True, slots=True)
class CtaClicks:
    """The clicks on one call to action of an announcement (`stats <id>`, the dashboard): in all,
    and by the tier and region of the partner as each delivery recorded them (its segment)."""

    number: int  # 1 to 3, the order written
    label: str
    url: str
    clicks: int
    by_tier: dict[str, int]
    by_region: dict[str, int]


class CtaProblem(StrEnum):
    """Why a written CTA was refused (bot/messages.py words each)."""

    FORM = "form"  # no `|` between the label and the URL
    LABEL = "label"  # empty, or longer than MAX_CTA_LABEL
    URL = "url"  # not an absolute http or https URL with a host
    URL_TOO_LONG = "url_too_long"
    TOO_MANY = "too_many"


@dataclass(frozen=True, slots=True)
class CtaRefused:
    problem: CtaProblem
    written: str = ""


def parse_cta(written: str) -> CallToAction | CtaRefused:
    """`Label|https://…` → a CallToAction, or why not. The label is everything before the first `|`
    (its runs of whitespace read as one space); the URL everything after it, trimmed."""
    label, bar, url = written.partition(CTA_SEPARATOR)
    if not bar:
        return CtaRefused(CtaProblem.FORM, written)
    label, url = " ".join(label.split()), url.strip()
    if not label or len(label) > MAX_CTA_LABEL:
        return CtaRefused(CtaProblem.LABEL, written)
    if len(url) > MAX_CTA_URL:
        return CtaRefused(CtaProblem.URL_TOO_LONG, written)
    if not is_web_url(url):
        return CtaRefused(CtaProblem.URL, written)
    return CallToAction(label, url)


def parse_ctas(written: Sequence[str]) -> tuple[CallToAction, ...] | CtaRefused:
    """Several, in the order written: the first refused one, or more than MAX_CTAS, refuses all."""
    if len(written) > MAX_CTAS:
        return CtaRefused(CtaProblem.TOO_MANY)
    found: list[CallToAction] = []
    for text in written:
        cta = parse_cta(text)
        if isinstance(cta, CtaRefused):
            return cta
        found.append(cta)
    return tuple(found)


def check_ctas(ctas: Sequence[CallToAction]) -> tuple[CallToAction, ...] | CtaRefused:
    """Structured input (modals, Discord options, the CLI) arrives as CallToActions: the same rules,
    and the same clean-up of the label. A label may not hold the `|` that ends it in chat."""
    for cta in ctas:
        if CTA_SEPARATOR in cta.label:
            return CtaRefused(CtaProblem.LABEL, f"{cta.label}{CTA_SEPARATOR}{cta.url}")
    return parse_ctas([f"{cta.label}{CTA_SEPARATOR}{cta.url}" for cta in ctas])


def is_web_url(url: str) -> bool:
    """An absolute http/https URL with a host, and nothing a browser would read differently (no
    whitespace or control characters)."""
    if not url or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return False
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 — raises ValueError for a port that is not a number
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(host)
