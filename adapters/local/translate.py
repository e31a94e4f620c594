"""Pure rendering for the local adapter: core output → plain text lines (what the console prints)."""

from __future__ import annotations

from collections.abc import Sequence

from bot import messages as m
from bot.attachments import human_size
from bot.domain import (
    AnnouncementPost,
    Attachment,
    Button,
    ButtonStyle,
    DigestPost,
    Outgoing,
    RelayPost,
    Reply,
)
from bot.i18n import text
from bot.presenter.search import show_lines
from bot.safety import neutralize_mentions

# The buttons under a delivered announcement, as Slack and Discord show them; pressing one is the
# local adapter's own business (LocalAdapter.press_on), not a core button.
ASK_ACTION = "local:ask"
HELPFUL_ACTION = "local:helpful"
ACK_ACTION = "local:acknowledge"
CTA_ACTION = "local:cta"  # a call to action; its value is `<announcement>:<number>`


def render_reply(reply: Reply) -> str:
    """A reply as the platforms would show it: mentions in it cannot ping (Slack and Discord send
    with mentions disabled and defuse them the same way)."""
    lines = [reply.text, *show_lines(reply)]  # a shown announcement's links and files, as lines
    for row in reply.rows:
        lines.append(f"  {row.text}" + (f"  [{row.button.label}]" if row.button else ""))
    if reply.buttons:
        lines.append("  " + "  ".join(f"[{b.label}]" for b in reply.buttons))
    return neutralize_mentions("\n".join(lines))


def reply_buttons(reply: Reply) -> tuple[Button, ...]:
    """Every button of a reply in the order `render_reply` shows them."""
    return (*(row.button for row in reply.rows if row.button), *reply.buttons)


def render_outgoing(out: Outgoing) -> str:
    content = out.content
    if isinstance(content, AnnouncementPost):
        mark = "🚨 URGENT · " if content.urgent else ""
        topics = ", ".join(content.topics)
        labels = " ".join(f"[{b.label}]" for b in announcement_buttons(content))
        files = "".join("\n" + line for line in file_lines(content.files))
        test = f"{content.test_note}\n" if content.test_note else ""
        text = f"{test}{mark}**{content.title}**\n{content.body}{files}\n_{topics}_  {labels}"
        return neutralize_mentions(text)
    if isinstance(content, DigestPost):
        return neutralize_mentions(render_digest(content))
    assert isinstance(content, RelayPost)
    return neutralize_mentions(content.text)


def announcement_buttons(post: AnnouncementPost) -> tuple[Button, ...]:
    value = str(post.announcement_id)
    ctas = tuple(
        Button(cta.label, CTA_ACTION, f"{post.announcement_id}:{cta.number}", ButtonStyle.PRIMARY)
        for cta in post.ctas
    )
    buttons = (
        *ctas,
        Button(text(m.ASK_BUTTON), ASK_ACTION, value, ButtonStyle.PRIMARY),
        Button(text(m.HELPFUL_BUTTON), HELPFUL_ACTION, value),
    )
    ack = (Button(text(m.ACK_BUTTON), ACK_ACTION, value, ButtonStyle.PRIMARY),) if post.ack_required else ()
    return (*buttons, *ack)


def outgoing_buttons(out: Outgoing) -> tuple[Button, ...]:
    return announcement_buttons(out.content) if isinstance(out.content, AnnouncementPost) else ()


def render_digest(post: DigestPost) -> str:
    """A heading, then each announcement in full: its title, topics and text, oldest first."""
    blocks = [m.DIGEST_HEADER.format(label=post.period_label, announcements=m.ANNOUNCEMENTS(len(post.items)))]
    for item in post.items:
        files = "".join("\n" + line for line in file_lines(item.files))
        blocks.append(f"———\n**{item.title}** · _{', '.join(item.topics)}_\n{item.body}{files}")
        if item.ctas:
            blocks.append("🔗 " + " · ".join(f"[{cta.label}]({cta.href})" for cta in item.ctas))
    return "\n".join(blocks)


def file_lines(files: Sequence[Attachment]) -> list[str]:
    """`📎 name (size)` per file: what a digest (and the console) shows of an announcement's files."""
    return [m.DIGEST_FILE.format(name=f.name, size=human_size(f.size)) for f in files]
