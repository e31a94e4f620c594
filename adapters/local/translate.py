"""Pure rendering for the local adapter: core output → plain text lines (what the console prints)."""

from __future__ import annotations

from bot.domain import AnnouncementPost, Outgoing, RelayPost, Reply


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
        return f"{mark}*{content.title}*\n{content.body}\n_{topics}_  [Ask a question] [Helpful]"
    assert isinstance(content, RelayPost)
    return content.text
