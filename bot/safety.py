"""Make relayed text unable to ping anyone, on any platform.

A partner's question is shown in the vendor's admin channel and an admin's answer in a partner's
channel: neither may notify a whole channel, a user group, a role or a person there. Adapters also
send with mentions disabled (Discord `allowed_mentions`, Slack `parse: none`); this is the second
belt, and it also covers plain-text renderings such as the console.

`clean_text` makes text from any platform storable; both adapters pass what they receive through it.
"""

from __future__ import annotations

import re

# A zero-width space breaks a mention token without changing what a reader sees.
ZWSP = "\u200b"

# Slack: <!channel>, <!here>, <!everyone>, <!subteam^S123|@group>, <@U123>, <#C123>.
# https://api.slack.com/reference/surfaces/formatting#advanced
_SLACK_TOKEN = re.compile(r"<([!@#])([^>]*)>")
# Discord: <@123>, <@!123>, <@&123> (role), and the bare words @everyone / @here.
# https://discord.com/developers/docs/reference#message-formatting
_BARE_BROADCAST = re.compile(r"@(everyone|here|channel|group|all)\b", re.IGNORECASE)


def neutralize_mentions(text: str) -> str:
    """Return `text` with every mention and broadcast keyword defused but still legible."""
    text = _SLACK_TOKEN.sub(_defuse_token, text)
    return _BARE_BROADCAST.sub(lambda m: f"@{ZWSP}{m.group(1)}", text)


def _defuse_token(match: re.Match[str]) -> str:
    sigil, inner = match.group(1), match.group(2)
    label = inner.split("|", 1)[1] if "|" in inner else inner
    if sigil == "!":
        # <!subteam^S1|@partners> → "@​partners"; <!here> → "@​here"
        label = label.lstrip("@").split("^", 1)[0]
        return f"@{ZWSP}{label}"
    if sigil == "@":
        return f"@{ZWSP}{label.lstrip('@!&')}"
    return f"#{ZWSP}{label}"


# Lone surrogates: json.loads turns "\ud800" into one, and no UTF-8 encoder (the database's, the log's)
# accepts it; proper pairs are joined by the JSON decoder, so any left in a str are alone.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Text from a platform, safe to store: lone surrogates become U+FFFD (the replacement character a
    UTF-8 decoder would show), NUL bytes are dropped (PostgreSQL refuses them in text)."""
    return _LONE_SURROGATE.sub("\ufffd", text).replace("\x00", "")


# A spreadsheet runs a cell that starts with one of these as a formula (`=HYPERLINK(…)`, `@SUM(…)`, a
# tab or carriage return before one). OWASP's advice: start such a cell with an apostrophe, which
# spreadsheets show as text and do not display. https://owasp.org/www-community/attacks/CSV_Injection
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A CSV cell that no spreadsheet runs as a formula: text starting with = + - @ TAB or CR gets a
    leading apostrophe; numbers, dates and other text are written as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
