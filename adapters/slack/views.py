"""Pure builders and readers for the adapter's modals: "Broadcast to partners", "Edit announcement" and
"Ask a question".

Views: https://docs.slack.dev/reference/views/modal-views. A view carries its origin (workspace,
channel, message) in `private_metadata`, which Slack returns untouched in the signed `view_submission`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Final

from adapters.slack.payloads import InputState
from adapters.slack.translate import JSON, MAX_OPTIONS, unescape
from adapters.slack.variant_fields import read_variants, update_sent, update_sent_block
from bot import messages as m
from bot.attachments import human_size
from bot.commands import MAX_BODY, MAX_COMMENT, MAX_TITLE, Broadcast, EditTexts
from bot.domain import Announcement, AnnouncementStatus, Audience, Topic
from bot.domain.cta import CallToAction, CtaRefused, parse_ctas
from bot.presenter.refusals import cta_refused, refusal_reply
from bot.services.feedback import MAX_QUESTION
from bot.timezones import canonical_zone, local_wall, zone
from bot.when import LOCAL, parse_at

BROADCAST_VIEW: Final = "partnerbot_broadcast"
ASK_VIEW: Final = "partnerbot_ask"
EDIT_VIEW: Final = "partnerbot_edit"
REJECT_VIEW: Final = "partnerbot_reject"  # "Request changes" under an approval request
MAX_VIEW_TITLE: Final = 24
MAX_CONTEXT: Final = 3_000  # a context element's text
VALUE: Final = "value"  # the action_id of every input element (one element per input block)
# The audience values offered when no vocabulary is given (and the languages offered while no partner
# has one); the handler passes `audience_choices(vocabulary)`, which the core validates against.
AUDIENCE_CHOICES: Final[Mapping[str, tuple[str, ...]]] = {
    "tier": ("platinum", "gold", "silver", "registered"),
    "type": ("reseller", "msp", "distributor", "isv", "integrator", "referral"),
    "region": ("na", "emea", "apac", "latam"),
    "language": ("en", "de", "fr", "es", "pt", "ja"),
}
TITLE_BLOCK, BODY_BLOCK, TOPICS_BLOCK, URGENT_BLOCK = "bc_title", "bc_body", "bc_topics", "bc_urgent"
SEND_AT_BLOCK, SEND_LOCAL_BLOCK = "bc_send_at", "bc_send_local"
SAVED_AUDIENCE_BLOCK: Final = "bc_saved_audience"
# https://docs.slack.dev/reference/block-kit/block-elements/select-menu-element: 100 options at most.
MAX_SELECT_OPTIONS: Final = 100
CTA_BLOCK: Final = "bc_cta"  # calls to action, one `Label|URL` per line
FILES_BLOCK: Final = "bc_files"  # more files, beside the message's (a file_input element)
MAX_FILE_INPUT: Final = 10
MAX_INPUT: Final = 3_000  # https://docs.slack.dev/reference/block-kit/block-elements/plain-text-input-element
QUESTION_BLOCK: Final = "ask_question"
EDIT_TITLE_BLOCK, EDIT_BODY_BLOCK = "ed_title", "ed_body"
COMMENT_BLOCK: Final = "rj_comment"
URGENT: Final = "urgent"
ACK: Final = "ack"


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a modal was opened from, kept in its `private_metadata`."""

    team: str
    channel: str
    message_ts: str = ""
    announcement_id: int = 0  # the Edit modal: which announcement it changes
    # The broadcast modal: ids of the files on the message the shortcut ran on (downloaded on submit).
    files: tuple[str, ...] = ()

    def encode(self) -> str:
        data: JSON = {"t": self.team, "c": self.channel, "m": self.message_ts}
        if self.announcement_id:
            data["a"] = self.announcement_id
        if self.files:
            data["f"] = list(self.files)
        return json.dumps(data)

    @classmethod
    def decode(cls, raw: str | None) -> Origin | None:
        try:
            data = json.loads(raw or "")
            return cls(
                team=str(data["t"]),
                channel=str(data["c"]),
                message_ts=str(data.get("m") or ""),
                announcement_id=int(data.get("a") or 0),
                files=tuple(str(f) for f in data.get("f") or ()),
            )
        except (ValueError, KeyError, TypeError):
            return None


def _plain(text: str) -> JSON:
    # str(): a partner-facing bot.messages text in the reader's language (bot/i18n.py `reading`).
    return {"type": "plain_text", "text": str(text), "emoji": True}


def _option(label: str, value: str) -> JSON:
    return {"text": _plain(label[:75]), "value": value}


def _input(block_id: str, label: str, element: JSON, *, optional: bool = False, hint: str = "") -> JSON:
    block: JSON = {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label),
        "element": {"action_id": VALUE, **element},
        "optional": optional,
    }
    if hint:
        block["hint"] = _plain(hint)
    return block


def _modal(callback_id: str, title: str, submit: str, blocks: list[JSON], origin: Origin) -> JSON:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": _plain(str(title)[:MAX_VIEW_TITLE]),
        "submit": _plain(submit),
        "close": _plain(m.SLACK_CANCEL),
        "private_metadata": origin.encode(),
        "blocks": blocks,
    }


def prefill_body(message_text: str) -> str:
    """A Slack message's text as an announcement body: entities unescaped, `<url|label>` links as
    Markdown links. Other mrkdwn marks are left as typed; the admin sees and edits them in the modal."""
    out: list[str] = []
    rest = message_text
    while (start := rest.find("<")) >= 0 and (end := rest.find(">", start)) > start:
        out.append(rest[:start])
        inner = rest[start + 1 : end]
        url, _, label = inner.partition("|")
        is_link = url.startswith(("http://", "https://", "mailto:"))
        out.append((f"[{label}]({url})" if label else url) if is_link else rest[start : end + 1])
        rest = rest[end + 1 :]
    return unescape("".join(out) + rest)


def _topic_options(topics: Sequence[Topic]) -> JSON:
    options = [_option(f"{topic.slug} — {topic.title}", topic.slug) for topic in topics]
    if len(options) <= MAX_OPTIONS:
        return {"options": options}
    # A select holds 100 options; more go into groups of 100:
    # https://docs.slack.dev/reference/block-kit/composition-objects/option-group-object
    groups = []
    for first in range(0, len(options), MAX_OPTIONS):
        chunk = options[first : first + MAX_OPTIONS]
        label = m.SLACK_TOPIC_GROUP.format(first=first + 1, last=first + len(chunk))
        groups.append({"label": _plain(label), "options": chunk})
    return {"option_groups": groups}


def audience_choices(options: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """The modal's audience options from the core's (`PartnerBot.audience_options`), so a select
    never offers a value the core would refuse, nor misses one it accepts. A select needs at least
    one option: while no partner has a language, the built-in languages stand in."""
    choices = {key: tuple(options.get(key, ()))[:MAX_OPTIONS] for key in ("tier", "type", "region")}
    languages = options.get("language") or AUDIENCE_CHOICES["language"]
    choices["language"] = tuple(languages)[:MAX_OPTIONS]
    return choices


def broadcast_modal(
    *,
    topics: Sequence[Topic],
    message_text: str,
    origin: Origin,
    choices: Mapping[str, Sequence[str]] | None = None,
    files: Sequence[tuple[str, int]] = (),
    unavailable: Sequence[str] = (),
    saved: Sequence[str] = (),
    translations: Sequence[JSON] = (),
) -> JSON:
    """The "Broadcast to partners" modal, its body prefilled with the message the shortcut ran on;
    the audience selects offer `choices` (`audience_choices`; the built-in lists if not given), and,
    when there are saved audiences (`saved`, their names), a choice of one of them instead.
    `files` (name, size) are the message's files, which go out with it (said above the title);
    `unavailable` names those that cannot (deleted, beyond the workspace's history), said too."""
    body = prefill_body(message_text).strip()
    title = {
        "type": "plain_text_input",
        "max_length": MAX_TITLE,
        "placeholder": _plain(m.SLACK_TITLE_PLACEHOLDER),
    }
    blocks: list[JSON] = [_input(TITLE_BLOCK, m.SLACK_TITLE_LABEL, title)]
    if files:
        listed = ", ".join(m.DIGEST_FILE.format(name=name, size=human_size(size)) for name, size in files)
        note = m.SLACK_FILES_FROM_MESSAGE.format(files=listed)
        blocks.insert(0, {"type": "context", "elements": [{"type": "mrkdwn", "text": note[:MAX_CONTEXT]}]})
    if unavailable:
        note = m.SLACK_FILES_UNAVAILABLE.format(files=", ".join(unavailable))
        blocks.insert(0, {"type": "context", "elements": [{"type": "mrkdwn", "text": note[:MAX_CONTEXT]}]})
    if len(body) > MAX_BODY:
        clipped = m.SLACK_BODY_CLIPPED.format(length=len(body), max=MAX_BODY)
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": clipped}]})
    body_element: JSON = {"type": "plain_text_input", "multiline": True, "max_length": MAX_BODY}
    if body:
        body_element["initial_value"] = body[:MAX_BODY]
    blocks.append(_input(BODY_BLOCK, m.SLACK_BODY_LABEL, body_element))
    picker = {"type": "multi_static_select", "placeholder": _plain(m.SLACK_TOPICS_PLACEHOLDER)}
    topics_input = _input(TOPICS_BLOCK, m.SLACK_TOPICS_FIELD, {**picker, **_topic_options(topics)})
    blocks.append({**topics_input, "optional": bool(saved)})  # a saved audience may name the topics
    if saved:
        saved_options = [_option(name, name) for name in saved[:MAX_SELECT_OPTIONS]]
        select = {"type": "static_select", "placeholder": _plain(m.SLACK_SAVED_AUDIENCE_PLACEHOLDER)}
        blocks.append(
            _input(
                SAVED_AUDIENCE_BLOCK,
                m.SLACK_SAVED_AUDIENCE_FIELD,
                {**select, "options": saved_options},
                optional=True,
                hint=m.SLACK_SAVED_AUDIENCE_HINT,
            )
        )
    for name, values in (choices or AUDIENCE_CHOICES).items():
        element = {
            "type": "multi_static_select",
            "placeholder": _plain(m.SLACK_AUDIENCE_PLACEHOLDER),
            "options": [_option(value, value) for value in values],
        }
        hint = m.SLACK_AUDIENCE_HINT if name == "language" else ""
        blocks.append(_input(f"bc_{name}", m.SLACK_AUDIENCE_LABELS[name], element, optional=True, hint=hint))
    urgent = {
        "type": "checkboxes",
        "options": [_option(m.SLACK_URGENT_OPTION, URGENT), _option(m.SLACK_ACK_OPTION, ACK)],
    }
    blocks.append(_input(URGENT_BLOCK, m.SLACK_URGENT_FIELD, urgent, optional=True))
    # https://docs.slack.dev/reference/block-kit/block-elements/datetime-picker-element: Slack shows it
    # in the user's own time zone and returns the instant picked, as a UNIX timestamp.
    picker = {"type": "datetimepicker"}
    blocks.append(
        _input(SEND_AT_BLOCK, m.SLACK_SEND_AT_FIELD, picker, optional=True, hint=m.SLACK_SEND_AT_HINT)
    )
    local = {"type": "checkboxes", "options": [_option(m.SLACK_SEND_LOCAL_OPTION, LOCAL)]}
    blocks.append(
        _input(SEND_LOCAL_BLOCK, m.SLACK_SEND_LOCAL_FIELD, local, optional=True, hint=m.SLACK_SEND_LOCAL_HINT)
    )
    ctas = {
        "type": "plain_text_input",
        "multiline": True,
        # Slack's most for a plain_text_input; the rules per line are the core's (bot/domain/cta.py).
        "max_length": MAX_INPUT,
        "placeholder": _plain(m.SLACK_CTA_PLACEHOLDER),
    }
    blocks.append(_input(CTA_BLOCK, m.SLACK_CTA_FIELD, ctas, optional=True, hint=m.SLACK_CTA_HINT))
    # https://docs.slack.dev/reference/block-kit/block-elements/file-input-element: the files come
    # back in the submission's state as file objects (downloaded like the message's, on submit).
    more = {"type": "file_input", "max_files": MAX_FILE_INPUT}
    blocks.append(_input(FILES_BLOCK, m.SLACK_FILES_FIELD, more, optional=True, hint=m.SLACK_FILES_HINT))
    blocks += translations  # adapters/slack/variant_fields.py: a title and a text per language
    return _modal(BROADCAST_VIEW, m.SLACK_BROADCAST_MODAL_TITLE, m.SLACK_BROADCAST_SUBMIT, blocks, origin)


def _state(values: Mapping[str, Any], block_id: str) -> InputState:
    """One input's submitted state, validated (a wrongly typed one raises `PayloadError`)."""
    block = values.get(block_id)
    return InputState.read((block.get(VALUE) if isinstance(block, Mapping) else None) or {})


def _selected(values: Mapping[str, Any], block_id: str) -> tuple[str, ...]:
    chosen = _state(values, block_id).selected_options or []
    return tuple(dict.fromkeys(option.value for option in chosen))


def _text(values: Mapping[str, Any], block_id: str, limit: int, errors: dict[str, str]) -> str:
    text = (_state(values, block_id).value or "").strip()
    if not text:
        errors[block_id] = m.SLACK_EMPTY_FIELD
    elif len(text) > limit:
        errors[block_id] = m.SLACK_TOO_LONG_FIELD.format(max=limit, length=len(text))
    return text


@dataclass(frozen=True, slots=True)
class SendAt:
    """The modal's "Send at" picker and "Local time" box, as submitted."""

    instant: datetime  # the moment picked (aware, UTC)
    local: bool = False  # "Local time in each partner's time zone"


def _send_at(values: Mapping[str, Any], errors: dict[str, str]) -> SendAt | None:
    raw = _state(values, SEND_AT_BLOCK).selected_date_time
    local = LOCAL in _selected(values, SEND_LOCAL_BLOCK)
    if raw is None or raw == "":
        if local:
            errors[SEND_AT_BLOCK] = m.SLACK_SEND_LOCAL_WITHOUT_TIME
        return None
    try:
        return SendAt(datetime.fromtimestamp(int(raw), UTC), local)
    except (TypeError, ValueError, OverflowError, OSError):
        errors[SEND_AT_BLOCK] = m.SLACK_SEND_AT_UNREADABLE
        return None


def read_broadcast(values: Mapping[str, Any], languages: Sequence[str] = ()) -> Broadcast | dict[str, str]:
    """The submitted modal as a `Broadcast` to send when Send is pressed (`read_send_at` has its
    time, `scheduled` combines the two), or the errors to show next to its fields; `languages`:
    those its Translations section has inputs for (`variant_fields.languages_of`)."""
    errors: dict[str, str] = {}
    variants = read_variants(values, languages, (), errors)
    title = _text(values, TITLE_BLOCK, MAX_TITLE, errors)
    body = _text(values, BODY_BLOCK, MAX_BODY, errors)
    topics = _selected(values, TOPICS_BLOCK)
    picked = _state(values, SAVED_AUDIENCE_BLOCK).selected_option
    saved = picked.value if picked is not None and picked.value else None
    if not topics and saved is None:
        errors[TOPICS_BLOCK] = m.SLACK_EMPTY_FIELD
    audience = Audience.of({key: _selected(values, f"bc_{key}") for key in AUDIENCE_CHOICES})
    if saved is not None and not audience.is_everyone():
        errors[SAVED_AUDIENCE_BLOCK] = m.SLACK_SAVED_AUDIENCE_WITH_FILTERS
    _send_at(values, errors)
    flags = _selected(values, URGENT_BLOCK)
    if ACK in flags and URGENT not in flags:
        errors[URGENT_BLOCK] = m.SLACK_ACK_NEEDS_URGENT
    ctas = _ctas(values, errors)
    if errors:
        return errors
    return Broadcast(
        topics=topics,
        audience=audience,
        title=title,
        body=body,
        urgent=URGENT in flags,
        ack_required=ACK in flags,
        saved_audience=saved,
        ctas=ctas,
        variants=variants,
    )


def _ctas(values: Mapping[str, Any], errors: dict[str, str]) -> tuple[CallToAction, ...]:
    """The "Buttons" field: one `Label|URL` per line (blank lines skipped), the grammar's rules."""
    lines = [line for line in (_state(values, CTA_BLOCK).value or "").splitlines() if line.strip()]
    ctas = parse_ctas(lines)
    if isinstance(ctas, CtaRefused):
        # A modal's field error is plain text: the chat markup's asterisks go.
        errors[CTA_BLOCK] = refusal_reply(cta_refused(ctas, count=len(lines))).text.replace("*", "")
        return ()
    return ctas


def read_files(values: Mapping[str, Any]) -> tuple[str, ...]:
    """The ids of the files added in the modal's file input, in order."""
    return tuple(f.id for f in _state(values, FILES_BLOCK).files or () if f.id)


def read_send_at(values: Mapping[str, Any]) -> SendAt | None:
    """The time picked, if any (`read_broadcast` has already reported a picker that can't be read)."""
    return _send_at(values, {})


def scheduled(command: Broadcast, send_at: SendAt, user_zone: str | None) -> Broadcast | dict[str, str]:
    """`command` at the time picked, filled exactly as `at:"…"` would fill it for the same intent.

    The picker returns an instant; what the admin saw was that instant on their own clock (`user_zone`,
    their Slack profile's time zone). That wall-clock time, written the way the admin would type it
    (`YYYY-MM-DD HH:MM <zone>`, or `… local`), goes through the grammar's own reader (bot/when.py), so
    the preview says "09:00 Europe/Berlin", not "08:00 UTC". Whether the time is in the past or too far
    ahead is the core's to say: it knows the clock and, for `local`, every target's zone."""
    name = canonical_zone(user_zone) if user_zone else None
    if name is None:
        if send_at.local:
            return {SEND_AT_BLOCK: m.SLACK_NO_USER_ZONE}
        return replace(command, send_at=send_at.instant)  # the instant itself: the core shows it in UTC
    wall = local_wall(send_at.instant, zone(name))
    if not send_at.local and wall.replace(tzinfo=zone(name)).astimezone(UTC) != send_at.instant:
        # The second 01:30 of a night the clocks fall back: written as a wall-clock time it would
        # mean the first. Only the instant says which one was picked.
        return replace(command, send_at=send_at.instant)
    at = parse_at(f"{wall:%Y-%m-%d %H:%M} {LOCAL if send_at.local else name}")
    if isinstance(at, str):  # not expected: the text is built in an accepted form
        return {SEND_AT_BLOCK: at}
    return replace(command, send_at=at.wall, send_zone=at.zone, send_local=at.local)


def edit_modal(announcement: Announcement, *, origin: Origin, translations: Sequence[JSON] = ()) -> JSON:
    """ "Edit announcement #N", prefilled with its current title and body (the grammar's limits),
    then `translations` (adapters/slack/variant_fields.py), and for one already out the box that
    also sends a new translation to the channels that got the default text (`update-sent`)."""
    title = {
        "type": "plain_text_input",
        "max_length": MAX_TITLE,
        "initial_value": announcement.title[:MAX_TITLE],
    }
    body: JSON = {
        "type": "plain_text_input",
        "multiline": True,
        "max_length": MAX_BODY,
        "initial_value": announcement.body[:MAX_BODY],
    }
    hint = "" if announcement.status is AnnouncementStatus.DRAFT else m.SLACK_EDIT_HINT
    blocks = [
        _input(EDIT_TITLE_BLOCK, m.SLACK_TITLE_LABEL, title),
        _input(EDIT_BODY_BLOCK, m.SLACK_BODY_LABEL, body, hint=hint),
        *translations,
    ]
    if announcement.status is not AnnouncementStatus.DRAFT and translations:
        blocks.append(update_sent_block())
    heading = m.SLACK_EDIT_MODAL_TITLE.format(id=announcement.id)
    if len(heading) > MAX_VIEW_TITLE:  # never cut an id short
        heading = m.SLACK_EDIT_MODAL_SHORT_TITLE.format(id=announcement.id)
    return _modal(EDIT_VIEW, heading, m.SLACK_EDIT_SUBMIT, blocks, origin)


def read_edit(
    values: Mapping[str, Any], announcement_id: int, languages: Sequence[str] = (), stored: Sequence[str] = ()
) -> EditTexts | dict[str, str]:
    """The new title, body and translations (`languages`: those the modal has inputs for; `stored`:
    those the announcement had when it was opened), or the errors to show next to the fields."""
    errors: dict[str, str] = {}
    title = _text(values, EDIT_TITLE_BLOCK, MAX_TITLE, errors)
    body = _text(values, EDIT_BODY_BLOCK, MAX_BODY, errors)
    variants = read_variants(values, languages, stored, errors)
    return errors or EditTexts(announcement_id, title, body, variants, update_sent(values))


def ask_modal(*, origin: Origin) -> JSON:
    """ "Ask a question" under an announcement; the answer comes back in the announcement's thread."""
    element = {"type": "plain_text_input", "multiline": True, "max_length": MAX_QUESTION}
    blocks = [_input(QUESTION_BLOCK, m.SLACK_ASK_LABEL, element, hint=m.SLACK_ASK_HINT)]
    return _modal(ASK_VIEW, m.SLACK_ASK_MODAL_TITLE, m.SLACK_ASK_SUBMIT, blocks, origin)


def read_question(values: Mapping[str, Any]) -> str | dict[str, str]:
    errors: dict[str, str] = {}
    text = _text(values, QUESTION_BLOCK, MAX_QUESTION, errors)
    return errors or text


def reject_modal(*, origin: Origin) -> JSON:
    """ "Request changes" on announcement #N awaiting approval: the comment for its author."""
    element = {"type": "plain_text_input", "multiline": True, "max_length": MAX_COMMENT}
    blocks = [_input(COMMENT_BLOCK, m.REJECT_FORM_LABEL, element)]
    return _modal(REJECT_VIEW, m.REJECT_FORM_TITLE, m.REJECT_FORM_SUBMIT, blocks, origin)


def read_comment(values: Mapping[str, Any]) -> str | dict[str, str]:
    errors: dict[str, str] = {}
    text = _text(values, COMMENT_BLOCK, MAX_COMMENT, errors)
    return errors or text
