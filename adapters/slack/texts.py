"""The few strings only the Slack adapter says: button labels, modal wording, short acknowledgements.

Everything the core says comes from `bot/messages.py`; these exist because Block Kit needs labels the
core has no concept of (modals, the feedback buttons under an announcement).
"""

from __future__ import annotations

from typing import Final

# --- under a delivered announcement -------------------------------------------------------------
ASK_BUTTON: Final = "Ask a question"
HELPFUL_BUTTON: Final = "Helpful"
MUTE_BUTTON: Final = "Mute this topic"
MUTE_PLACEHOLDER: Final = "Mute a topic…"
URGENT_LABEL: Final = "🚨 *Urgent*"
TOPICS_LABEL: Final = "Topics: {topics}"
FALLBACK: Final = "{urgent}{title} ({topics})"
FALLBACK_URGENT: Final = "URGENT: "
HELPFUL_THANKS: Final = "👍 Thanks — marked as helpful."
NOT_AN_ANNOUNCEMENT: Final = "That message is no longer tracked by partnerbot."

# --- modals --------------------------------------------------------------------------------------
BROADCAST_MODAL_TITLE: Final = "Broadcast to partners"
BROADCAST_SUBMIT: Final = "Preview"
CANCEL: Final = "Cancel"
TITLE_LABEL: Final = "Title"
TITLE_PLACEHOLDER: Final = "e.g. New price list for Q3"
BODY_LABEL: Final = "Announcement (Markdown)"
BODY_CLIPPED: Final = (
    "⚠️ The message has {length:,} characters; an announcement holds at most {max:,}. Only the first "
    "{max:,} are filled in below — shorten it before you preview."
)
TOPICS_FIELD: Final = "Topics"
TOPICS_PLACEHOLDER: Final = "Choose topics"
TOPIC_GROUP: Final = "Topics {first} to {last}"
AUDIENCE_HINT: Final = "Leave an audience field empty to reach every partner for it."
AUDIENCE_LABELS: Final = {
    "tier": "Tiers",
    "type": "Partner types",
    "region": "Regions",
    "language": "Languages",
}
AUDIENCE_PLACEHOLDER: Final = "Any"
URGENT_FIELD: Final = "Urgency"
URGENT_OPTION: Final = "Urgent — deliver at once, even to digest channels"
NO_TOPICS_TO_BROADCAST: Final = (
    "There are no topics yet, so there is nothing to broadcast to. Add one first: "
    '`/partner-admin topic add <slug> "<title>"`.'
)
EMPTY_FIELD: Final = "This can't be empty."
TOO_LONG_FIELD: Final = "Keep this to {max:,} characters or fewer (now {length:,})."

ASK_MODAL_TITLE: Final = "Ask a question"
ASK_SUBMIT: Final = "Send"
ASK_LABEL: Final = "Your question for the vendor team"
ASK_HINT: Final = "The answer will appear in the announcement's thread."

# --- replies -------------------------------------------------------------------------------------
MORE_ROWS: Final = "…and {count} more: {items}"
