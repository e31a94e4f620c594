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
ACK_OPTION: Final = "Partners must acknowledge it (urgent only; one reminder if they don't)"
ACK_NEEDS_URGENT: Final = "Asking for acknowledgement needs Urgent ticked too."
SEND_AT_FIELD: Final = "Send at (optional)"
SEND_AT_HINT: Final = (
    "Leave empty to send when you press Send under the preview. Pick a time to schedule it: "
    "Send then queues it, and nothing goes out before that time."
)
SEND_LOCAL_FIELD: Final = "Time zone"
SEND_LOCAL_OPTION: Final = "Local time in each partner's time zone"
SEND_LOCAL_HINT: Final = (
    "Ticked, 09:00 means 09:00 on each channel's own clock, so delivery follows the sun. "
    "Unticked, the time is the moment you picked, in your Slack time zone."
)
SEND_AT_UNREADABLE: Final = "That time couldn't be read; pick it again."
SEND_LOCAL_WITHOUT_TIME: Final = "Pick the date and time to send at, or untick “Local time” below."
NO_USER_ZONE: Final = (
    "Slack didn't tell partnerbot your time zone, so it can't tell which local time you picked. "
    "Set your time zone in your Slack profile, or type "
    '`/partner-admin broadcast … at:"YYYY-MM-DD HH:MM local" …`.'
)
NO_TOPICS_TO_BROADCAST: Final = (
    "There are no topics yet, so there is nothing to broadcast to. Add one first: "
    '`/partner-admin topic add <slug> "<title>"`.'
)
EMPTY_FIELD: Final = "This can't be empty."
TOO_LONG_FIELD: Final = "Keep this to {max:,} characters or fewer (now {length:,})."

EDIT_MODAL_TITLE: Final = "Edit announcement #{id}"
EDIT_MODAL_SHORT_TITLE: Final = "Edit #{id}"  # a modal title holds 24 characters
EDIT_SUBMIT: Final = "Save"
EDIT_HINT: Final = (
    "Copies partners already got are updated in place, at the same pace as sending; their threads and "
    "questions stay. Copies not sent yet go out with the new text."
)
RECALL_CONFIRM_TITLE: Final = "Recall #{id}?"
RECALL_CONFIRM_TEXT: Final = (
    "Every copy partners got is deleted, and copies not sent yet never go out. This can't be undone."
)
RECALL_CONFIRM_YES: Final = "Recall"
RECALL_CONFIRM_NO: Final = "Keep it"

ASK_MODAL_TITLE: Final = "Ask a question"
ASK_SUBMIT: Final = "Send"
ASK_LABEL: Final = "Your question for the vendor team"
ASK_HINT: Final = "The answer will appear in the announcement's thread."
