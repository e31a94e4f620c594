"""Typed, validated views of the Slack payload fields the listeners read.

Slack signs only what Slack sends, but its payloads change over time and Enterprise Grid, Connect and
workflow payloads differ (https://docs.slack.dev/reference/interaction-payloads/): a listener reads
its payload through one of these models, and a payload that does not fit raises `PayloadError`, which
the app's error handler acknowledges and logs as one WARNING line (adapters/slack/app.py).
Text is normalised on the way in (lone surrogates → U+FFFD, NUL bytes dropped): the database's
encoders refuse both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from bot.safety import clean_text

_M = TypeVar("_M", bound="Payload")
# Text safe to store (bot/safety.py): the Discord adapter normalises with the same function.
clean = clean_text


Text = Annotated[str, AfterValidator(clean)]


class PayloadError(ValueError):
    """A verified payload a listener cannot read: missing or wrongly typed fields."""


class Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    @classmethod
    def read(cls: type[_M], data: Any) -> _M:
        try:
            return cls.model_validate(data)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "payload"
            raise PayloadError(f"{cls.__name__}: {where}: {first['msg']}") from None


class Envelope(Payload):
    """The outer `event_callback`: https://docs.slack.dev/apis/events-api/#callback-field"""

    event_id: Text = ""
    team_id: Text | None = None


class ReactionItem(Payload):
    type: Text = ""
    channel: Text = ""
    ts: Text = ""


class ReactionEvent(Payload):
    """https://docs.slack.dev/reference/events/reaction_added"""

    type: Text
    user: Text = ""
    reaction: Text = ""
    item: ReactionItem = ReactionItem()


class RevokedTokens(Payload):
    oauth: list[Text] = []
    bot: list[Text] = []


class TokensRevokedEvent(Payload):
    """https://docs.slack.dev/reference/events/tokens_revoked"""

    tokens: RevokedTokens = RevokedTokens()


class MessageEvent(Payload):
    """`message` and `app_mention`: https://docs.slack.dev/reference/events/message"""

    channel: Text = ""
    user: Text | None = None
    text: Text | None = None
    ts: Text | None = None
    thread_ts: Text | None = None
    subtype: Text | None = None
    bot_id: Text | None = None


class SlashCommand(Payload):
    """https://docs.slack.dev/interactivity/implementing-slash-commands#app_command_handling"""

    channel_id: Text = ""
    user_id: Text = ""
    user_name: Text = ""
    channel_name: Text = ""
    text: Text = ""


class Named(Payload):
    id: Text = ""
    name: Text | None = None
    username: Text | None = None


class ChannelGoneEvent(Payload):
    """channel_archive/_deleted/_left (a channel id) and group_* alike; some carry a channel object."""

    type: Text | None = None
    channel: Text | Named = ""


class Container(Payload):
    message_ts: Text | None = None
    channel_id: Text | None = None


class SharedFile(Payload):
    """A file on a message: https://docs.slack.dev/reference/objects/file-object. `mode` is
    `tombstone` for a deleted one, `hidden_by_limit` beyond a free workspace's history."""

    id: Text = ""
    name: Text | None = None
    size: int | None = None
    mode: Text | None = None


class PostedMessage(Payload):
    ts: Text | None = None
    text: Text | None = None
    files: tuple[SharedFile, ...] = ()


class Interaction(Payload):
    """block_actions, shortcuts, view_submission: who, where, and the message acted on."""

    user: Named = Named()
    channel: Named | None = None
    container: Container | None = None
    message: PostedMessage | None = None
    message_ts: Text | None = None

    @property
    def message_timestamp(self) -> str:
        container = self.container or Container()
        message = self.message or PostedMessage()
        return container.message_ts or message.ts or self.message_ts or ""


class Option(Payload):
    value: Text = ""


class Action(Payload):
    """https://docs.slack.dev/reference/interaction-payloads/block_actions-payload"""

    action_id: Text
    value: Text | None = None
    selected_option: Option | None = None


class InputState(Payload):
    """One input element's state in `view.state.values`."""

    value: Text | None = None
    selected_options: list[Option] | None = None
    selected_option: Option | None = None  # a static_select
    selected_date_time: int | Text | None = None
    files: list[SharedFile] | None = None  # a file_input's uploads


class ViewState(Payload):
    values: dict[Text, dict[Text, dict[Text, Any]]] = {}


class View(Payload):
    """https://docs.slack.dev/reference/interaction-payloads/view-interactions-payload"""

    state: ViewState = ViewState()
    private_metadata: Text | None = None
    id: Text | None = None
    hash: Text | None = None  # views.update with it fails if the view changed meanwhile
    callback_id: Text | None = None
    blocks: list[dict[Text, Any]] = []


Obj = dict[str, Any]


class _Typed(Payload):
    type: str


class _Action(Payload):
    action_id: str
    block_id: str | None = None


class _View(Payload):
    callback_id: str | None = None


class Routable(Payload):
    """What bolt itself reads to build a request's context and pick a listener (its matchers index
    these without checking: an empty `actions` list or a string `authorizations` raises inside bolt).
    A verified payload that fails this is acknowledged and not dispatched (adapters/slack/app.py)."""

    type: str | None = None
    command: str | None = None
    callback_id: str | None = None
    event: _Typed | None = None
    actions: Annotated[list[_Action], Field(min_length=1)] | None = None
    view: _View | None = None
    authorizations: list[Obj] | None = None
    team: Obj | str | None = None
    user: Obj | str | None = None
    channel: Obj | str | None = None
    enterprise: Obj | str | None = None
    container: Obj | None = None
    message: Obj | None = None


def read(model: type[_M], data: Any) -> _M:
    """`model.read(data)`, for call sites that read better as a function."""
    return model.read(data)


def as_mapping(data: Any) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise PayloadError(f"expected an object, got {type(data).__name__}")
    return data
