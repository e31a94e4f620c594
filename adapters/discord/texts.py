"""What only the Discord adapter says: component labels, modal titles and its own refusals.

Everything the core says lives in bot/messages.py; these are the few strings that exist because Discord
has buttons, modals and permissions the other platforms do not. Same rules: constants and
`str.format` templates only.
"""

from __future__ import annotations

from typing import Final

# --- delivered announcements -------------------------------------------------------------------

ASK_BUTTON: Final = "Ask a question"
HELPFUL_BUTTON: Final = "Helpful"
MUTE_BUTTON: Final = "Mute this topic"
FOOTER: Final = "{topics} · {priority} · announcement #{id}"
DIGEST_FOOTER: Final = "{topics} · announcement #{id}"
PRIORITY_URGENT: Final = "urgent"
PRIORITY_NORMAL: Final = "normal priority"
CONTINUED: Final = "(continued)"
PARTNER_THREAD: Final = "Questions and answers"
ADMIN_THREAD: Final = "Partner questions"

ASK_MODAL_TITLE: Final = "Ask the vendor team"
ASK_LABEL: Final = "Your question"
ASK_PLACEHOLDER: Final = "The answer will appear in a thread under this announcement."
ACK_OPTION: Final = "Partners must acknowledge it (urgent announcements only)"

# --- permissions -------------------------------------------------------------------------------

NEEDS_PERMISSION: Final = (
    "🔒 Changing what this channel gets needs the **{permission}** permission in this channel. "
    "Ask someone who manages the channel."
)

# A slash command partnerbot could not match to the ones it registered (Discord may still show an
# older version of it for a few minutes after an update).
COMMAND_NOT_UNDERSTOOD: Final = (
    "partnerbot could not read that command (Discord may still be showing an older version of it). "
    "Nothing was changed: try again in a minute, or run `/partner help`."
)

# --- admin: "Broadcast to partners" ------------------------------------------------------------

BROADCAST_MODAL_TITLE: Final = "Broadcast to partners"
TITLE_LABEL: Final = "Title"
BODY_LABEL: Final = "Announcement"
TOPICS_LABEL: Final = "Topics (slugs, separated by commas)"
TOPICS_PLACEHOLDER: Final = "e.g. {examples}"
AUDIENCE_LABEL: Final = "Audience and urgency (optional)"
AUDIENCE_PLACEHOLDER: Final = "e.g. tier:gold,platinum region:emea urgent"
AUDIENCE_UNKNOWN_KEY: Final = (
    '"{word}" isn\'t an audience option: use tier:…, type:…, region:…, language:… or the word `urgent`.'
)
# Discord caps a label at 45 characters, its description and an input's placeholder at 100.
SEND_AT_LABEL: Final = "Send at (optional)"
SEND_AT_DESCRIPTION: Final = (
    "YYYY-MM-DD HH:MM, optionally 'local' or a time zone. Empty: send when you press Send."
)
# `{day}`: a date after today (bot/when.py `at_example`), so the example works when copied.
SEND_AT_PLACEHOLDER: Final = "e.g. {day} local, or {day} Europe/Berlin"
SEND_AT_OPTION: Final = "When to send: YYYY-MM-DD HH:MM, optionally 'local' or a time zone"
TOPICS_SELECT: Final = "Topics"
AUDIENCE_SELECT: Final = "Audience: everyone (pick tiers, types, regions, languages to narrow it)"
AUDIENCE_OPTION: Final = "{key}: {value}"
# Picking new topics or audience under a preview whose draft moved on, by the announcement's status.
NOT_A_DRAFT_ANY_MORE: Final = {
    "gone": "Announcement #{id} doesn't exist any more; broadcast again to start a new one.",
    "draft": "Draft #{id} was being changed by someone else just then; pick again.",
    "scheduled": "Announcement #{id} is already scheduled, so its topics and audience are fixed; "
    "`cancel {id}` and broadcast again to change them.",
    "sending": "Announcement #{id} is already being sent, so its topics and audience can't change any more.",
    "sent": "Announcement #{id} was already sent, so its topics and audience can't change any more.",
    "cancelled": "Draft #{id} was cancelled; broadcast again to start a new one.",
    "recalled": "Announcement #{id} was recalled; broadcast again to start a new one.",
}
REPLACES_DRAFT: Final = "_Replaces draft #{old}, which was cancelled._"

# --- admin: edit and recall ---------------------------------------------------------------------

# A modal title holds 45 characters.
EDIT_MODAL_TITLE: Final = "Edit announcement #{id}"
EDIT_BODY_LABEL: Final = "Announcement"
EDIT_BODY_DESCRIPTION: Final = "Delivered copies are updated in place; partner threads stay."
# Discord has no confirmation dialog: Recall first asks, privately, with a button that does it.
RECALL_CONFIRM: Final = (
    "Recall announcement #{id}? Every copy partners got is deleted, and copies not sent yet never go "
    "out. This can't be undone."
)
RECALL_CONFIRM_BUTTON: Final = "Yes, recall #{id}"
