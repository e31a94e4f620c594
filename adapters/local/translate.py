"""Pure rendering for the local adapter: core output → plain text lines (what the console prints)."""

from __future__ import annotations

from bot import messages as m
from bot.domain import AnnouncementPost, DigestPost, Outgoing, RelayPost, Reply


def render_reply(reply: Reply) -> str:
    lines = [reply.text]
    for row in reply.rows:
        lines.append(f"  {row.text}" + (f"  [{row.button.label}]" if row.button else ""))
    if reply.buttons:
        lines.append("  " + "  ".join(f"[{b.label}]" for b in reply.buttons))
    return "\n".join(lines)


def render_outgoing(out: Outgoing) -> str:
    content = out.content
    if isinstance(content, AnnouncementPost):
        mark = "🚨 URGENT · " if content.urgent else ""
        topics = ", ".join(content.topics)
        ack = f" [{m.ACK_BUTTON}]" if content.ack_required else ""
        return f"{mark}*{content.title}*\n{content.body}\n_{topics}_  [Ask a question] [Helpful]{ack}"
    if isinstance(content, DigestPost):
        return render_digest(content)
    assert isinstance(content, RelayPost)
    return content.text


def render_digest(post: DigestPost) -> str:
    """A heading, then each announcement in full: its title, topics and text, oldest first."""
    blocks = [m.DIGEST_HEADER.format(label=post.period_label, announcements=m.ANNOUNCEMENTS(len(post.items)))]
    for item in post.items:
        blocks.append(f"———\n*{item.title}* · _{', '.join(item.topics)}_\n{item.body}")
    return "\n".join(blocks)
