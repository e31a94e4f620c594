"""The Discord gateway edge: a dispatch is checked before discord.py parses it, and never breaks the client.

discord.py parses a dispatch inside the gateway's read loop (`DiscordWebSocket.received_message` calls
the connection state's `parse_<event>`); an exception there ends the shard's worker and closes the whole
client (discord/shard.py, `EventType.terminate`). Discord's payloads change over time, so every parser
is wrapped (`guard_parsers`):

- text is normalised first (`bot.safety.clean_text`: lone surrogates → U+FFFD, NUL dropped), so ids,
  names, message content and modal values reach the core and the database storable;
- the events partnerbot handles (MESSAGE_CREATE, MESSAGE_REACTION_ADD/REMOVE, INTERACTION_CREATE) are
  validated against models of the fields discord.py and partnerbot's handlers read
  (https://discord.com/developers/docs/events/gateway-events), including the custom_id of a component
  or modal (`Known`): one partnerbot never issued is not dispatched;
- a payload that does not fit, or that a parser still fails on, is logged once at WARNING with its event
  type and dropped: nothing changes and the connection stays up.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Container, MutableMapping
from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from adapters.discord import translate as tr
from bot.safety import clean_text

log = logging.getLogger(__name__)

Parser = Callable[[Any], None]
_SHOWN: Final = 60  # characters of a value kept in a log line
_REASON: Final = 160  # characters of a reason (which holds a value) kept in a log line
_MAX_SNOWFLAKE: Final = 2**63 - 1  # Discord ids are 64-bit; the database's BIGINT is signed
MAX_TEXT: Final = 6_000  # message content (2,000; 4,000 with Nitro), a modal value (4,000), names
_SELECTS: Final = (3, 5, 6, 7, 8)  # string, user, role, mentionable and channel selects
MAX_CUSTOM_ID: Final = 100  # https://discord.com/developers/docs/components/reference#anatomy-of-a-component


def _snowflake(value: Any) -> int:
    # Discord sends every id as a string: https://discord.com/developers/docs/reference#snowflakes
    if not isinstance(value, str) or not (value.isascii() and value.isdigit() and len(value) <= 20):
        raise ValueError("a snowflake is a string of digits")
    number = int(value)
    if not 0 <= number <= _MAX_SNOWFLAKE:
        raise ValueError("snowflake out of range")
    return number


Snowflake = Annotated[int, BeforeValidator(_snowflake)]
Text = Annotated[str, Field(max_length=MAX_TEXT)]
Obj = dict[str, Any]


# Optional lists and objects are "absent, or of their type", never null: discord.py reads them with
# `data.get(key, [])` and iterates what it gets.
class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)


class User(_Model):
    """discord.py's User reads these keys unguarded; a Message whose author fails to read is still
    dispatched, without an `author` (its constructor skips a KeyError), so they are checked here."""

    id: Snowflake
    username: Text
    discriminator: Text
    avatar: Text | None
    bot: bool = False
    global_name: Text | None = None


class Member(_Model):
    user: User | None = None
    roles: list[Snowflake]
    nick: Text | None = None
    permissions: Annotated[str, Field(pattern=r"^[0-9]{1,40}$")] | None = None


class SelectOption(_Model):
    label: Text
    value: Text
    description: Text | None = None
    default: bool | None = None
    emoji: Obj | None = None


class Component(_Model):
    """A message component: discord.py rebuilds the message's view from these when a dynamic item is
    pressed (`View.from_message`), outside the parser: they must be readable before it runs.
    https://discord.com/developers/docs/components/reference"""

    type: int
    id: int | None = None
    custom_id: Annotated[str, Field(max_length=MAX_CUSTOM_ID)] | None = None
    label: Text | None = None
    style: int | None = None
    url: Text | None = None
    disabled: bool | None = None
    placeholder: Text | None = None
    min_values: int | None = None
    max_values: int | None = None
    options: list[SelectOption] = []
    emoji: Obj | None = None
    components: list[Component] = []
    component: Component | None = None

    @model_validator(mode="after")
    def _rows_hold_items(self) -> Component:
        # discord.py's View.from_message refuses a row in a row (ValueError, in a task of its own).
        if self.type == 1 and (not self.components or any(c.type == 1 for c in self.components)):
            raise ValueError("an action row holds components, and no action row")
        return self


class MessageCreate(_Model):
    """https://discord.com/developers/docs/events/gateway-events#message-create"""

    id: Snowflake
    channel_id: Snowflake
    guild_id: Snowflake | None = None
    author: User
    member: Member | None = None
    content: Text = ""
    type: int = 0
    tts: bool = False
    mention_everyone: bool = False
    pinned: bool = False
    mentions: list[Obj] = []
    mention_roles: list[Snowflake] = []
    attachments: list[Obj] = []
    embeds: list[Obj] = []
    components: list[Component] = []
    flags: int = 0
    message_reference: Obj | None = None


class InteractionMessage(MessageCreate):
    """The message a component is on: discord.py rebuilds its view from `components`, an attribute
    its Message only has when the key was sent."""

    components: list[Component]

    @model_validator(mode="after")
    def _partnerbots_layout(self) -> InteractionMessage:
        # Components can only be pressed on partnerbot's own messages: rows of buttons and selects, no
        # Components V2 (flag 1 << 15). discord.py cannot rebuild a view from an unknown component.
        rows_only = len(self.components) <= 5 and all(
            row.type == 1
            and all(_item(component) for component in row.components)
            # a row is 5 wide: a button takes 1, a select all 5
            and sum(1 if component.type == 2 else 5 for component in row.components) <= 5
            for row in self.components
        )
        if self.flags & (1 << 15) or not rows_only:
            raise ValueError("components partnerbot never sends")
        return self


def _item(component: Component) -> bool:
    """A button (with a custom_id, or a link's url) or a select (with a custom_id)."""
    if component.type == 2:
        return component.custom_id is not None or component.url is not None
    return component.type in _SELECTS and component.custom_id is not None


class PartialChannel(_Model):
    id: Snowflake
    type: int


class Emoji(_Model):
    id: Snowflake | None = None
    name: Text | None = None


class Reaction(_Model):
    """https://discord.com/developers/docs/events/gateway-events#message-reaction-add"""

    user_id: Snowflake
    channel_id: Snowflake
    message_id: Snowflake
    guild_id: Snowflake | None = None
    message_author_id: Snowflake | None = None
    member: Member | None = None
    emoji: Emoji
    burst: bool = False
    type: int = 0


# --- INTERACTION_CREATE: https://discord.com/developers/docs/interactions/receiving-and-responding ---

# An option's type and the JSON type of its value (application-command-option-type).
_OPTION_VALUES: Final[dict[int, tuple[type, ...]]] = {
    3: (str,),  # STRING
    4: (int,),  # INTEGER
    5: (bool,),  # BOOLEAN
    6: (str,),  # USER (a snowflake)
    7: (str,),  # CHANNEL
    8: (str,),  # ROLE
    9: (str,),  # MENTIONABLE
    10: (int, float),  # NUMBER
    11: (str,),  # ATTACHMENT
}


class Option(_Model):
    name: Annotated[str, Field(min_length=1, max_length=32)]
    type: Annotated[int, Field(ge=1, le=11)]
    value: Text | int | float | bool | None = None
    options: list[Option] = []
    focused: bool | None = None

    @model_validator(mode="after")
    def _value_fits_type(self) -> Option:
        if self.type in (1, 2):  # SUB_COMMAND, SUB_COMMAND_GROUP: options, no value
            if self.value is not None:
                raise ValueError("a subcommand has no value")
            return self
        kinds = _OPTION_VALUES[self.type]
        value = self.value
        if value is None or (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
            raise ValueError(f"option {self.name!r} of type {self.type} has a {type(value).__name__} value")
        if self.type in (6, 7, 8, 9, 11):
            _snowflake(value)
        if self.type == 4 and not -(2**53) <= int(value) <= 2**53:  # Discord's own range
            raise ValueError("integer option out of range")
        return self


class CommandData(_Model):
    id: Snowflake
    name: Annotated[str, Field(min_length=1, max_length=32)]
    type: Annotated[int, Field(ge=1, le=4)] = 1
    options: list[Option] = []
    resolved: Obj = {}
    target_id: Snowflake | None = None
    guild_id: Snowflake | None = None


CustomId = Annotated[str, Field(min_length=1, max_length=MAX_CUSTOM_ID)]


class ComponentData(_Model):
    custom_id: CustomId
    component_type: Annotated[int, Field(ge=2, le=8)]
    values: list[Text] = []


class Submitted(_Model):
    """One component of a modal submission: an action row or label around an input, or an input."""

    type: int
    id: int | None = None
    custom_id: CustomId | None = None
    value: Text | None = None
    values: list[Text] = []
    components: list[Submitted] = []
    component: Submitted | None = None

    @model_validator(mode="after")
    def _complete(self) -> Submitted:
        # What discord.py's Modal._refresh reads of each: https://discord.com/developers/docs/components/reference
        if self.type == 1 and not self.components:
            raise ValueError("an action row without components")
        if self.type == 18 and self.component is None:
            raise ValueError("a label without its component")
        if self.type == 4 and (self.custom_id is None or self.value is None):
            raise ValueError("a text input without custom_id and value")
        if self.type in _SELECTS and self.custom_id is None:
            raise ValueError("a select without custom_id")
        return self


class ModalData(_Model):
    custom_id: CustomId
    components: list[Submitted]


class InteractionCreate(_Model):
    id: Snowflake
    application_id: Snowflake
    type: Literal[1, 2, 3, 4, 5]
    token: Annotated[str, Field(min_length=1, max_length=500)]
    version: int
    guild_id: Snowflake | None = None
    channel_id: Snowflake | None = None
    channel: PartialChannel | None = None
    member: Member | None = None
    user: User | None = None
    message: InteractionMessage | None = None
    locale: Text | None = None
    guild_locale: Text | None = None
    app_permissions: Annotated[str, Field(pattern=r"^[0-9]{1,40}$")] | None = None
    attachment_size_limit: int
    data: Obj | None = None  # read by `check` with the model of the interaction's type

    @model_validator(mode="after")
    def _fits_its_type(self) -> InteractionCreate:
        if self.type != 1 and (
            self.guild_id is None or self.channel is None or self.channel.id != self.channel_id
        ):
            # partnerbot's commands are guild-only (commands.py): an interaction comes from a channel
            # of a server (discord.py builds the channel, and the message's, from `channel`) and
            # discord.py reads its user from `member` there.
            raise ValueError("an interaction without guild_id, channel_id and its channel")
        if self.type != 1 and (self.member is None or self.member.user is None):
            raise ValueError("an interaction in a server without member.user")
        if self.type == 3 and self.message is None:
            raise ValueError("a component interaction without its message")
        return self


_MODELS: Final[dict[str, type[_Model]]] = {
    "MESSAGE_CREATE": MessageCreate,
    "MESSAGE_REACTION_ADD": Reaction,
    "MESSAGE_REACTION_REMOVE": Reaction,
    "INTERACTION_CREATE": InteractionCreate,
}


@dataclass(frozen=True, slots=True)
class Known:
    """The custom_ids partnerbot answers: its persistent buttons, core buttons and preview selects
    (translate.py), and the modals discord.py holds open right now (`modals`; None: not known, so
    discord.py decides, dropping a modal it does not hold)."""

    modals: Container[str] | None = None

    def component(self, custom_id: str) -> bool:
        if custom_id in {spec.custom_id for spec in tr.PERSISTENT_BUTTONS}:
            return True
        if tr.CORE_BUTTON.fullmatch(custom_id):
            return True
        select = tr.PREVIEW_SELECT.fullmatch(custom_id)
        return select is not None and int(select["id"]) <= _MAX_SNOWFLAKE

    def modal(self, custom_id: str) -> bool:
        return self.modals is None or custom_id in self.modals


class NotUnderstood(ValueError):
    """A dispatch partnerbot will not hand to discord.py: the reason, short, for the log line."""


def check(event: str, data: Any, known: Known) -> None:
    """Raise `NotUnderstood` unless `data` is a readable `event` payload partnerbot can act on."""
    if not isinstance(data, dict):
        raise NotUnderstood(f"expected an object, got {type(data).__name__}")
    model = _MODELS.get(event)
    if model is None:
        return
    parsed = _read(model, data)
    if not isinstance(parsed, InteractionCreate) or parsed.type == 1:
        return
    inner = _read(_INTERACTION_DATA[parsed.type], parsed.data, "data")
    if parsed.type == 4 and isinstance(inner, CommandData) and _focused(inner.options) != 1:
        raise NotUnderstood("an autocomplete without exactly one focused option")
    if isinstance(inner, ComponentData) and not known.component(inner.custom_id):
        raise NotUnderstood(f"unknown custom_id {shown(inner.custom_id)}")
    if isinstance(inner, ModalData) and not known.modal(inner.custom_id):
        raise NotUnderstood(f"unknown or expired modal {shown(inner.custom_id)}")


_INTERACTION_DATA: Final[dict[int, type[_Model]]] = {
    2: CommandData,
    3: ComponentData,
    4: CommandData,
    5: ModalData,
}


def _focused(options: list[Option] | None) -> int:
    return sum(bool(o.focused) + _focused(o.options) for o in options or [])


def _read(model: type[_Model], data: Any, where: str = "") -> _Model:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        path = ".".join(str(part) for part in (where, *first["loc"]) if part != "") or "payload"
        raise NotUnderstood(f"{path}: {first['msg']}") from None


def normalised(value: Any) -> Any:
    """`value` with every string in it (keys too) passed through `clean_text`."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(k) if isinstance(k, str) else k: normalised(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalised(item) for item in value]
    return value


def guarded(event: str, parse: Parser, known: Callable[[], Known]) -> Parser:
    """`parse`, behind the checks above; never raises."""

    def parser(data: Any) -> None:
        try:
            data = normalised(data)
            check(event, data, known())
        except NotUnderstood as refusal:
            log.warning("Discord %s not understood (%s); ignored", event, shown(str(refusal), _REASON))
            return
        except RecursionError:
            log.warning("Discord %s nested too deeply; ignored", event)
            return
        try:
            parse(data)
        except Exception as error:  # discord.py's own parsing: see the module docstring
            log.warning("Discord %s could not be parsed (%s); ignored", event, short(error))

    return parser


def guard_parsers(parsers: MutableMapping[str, Parser], known: Callable[[], Known]) -> None:
    """Wrap every parser of a discord.py `ConnectionState` (its `parsers` mapping, which each gateway
    connection reads when it opens) in `guarded`."""
    for event, parse in list(parsers.items()):
        if event in ("READY", "RESUMED"):  # the gateway itself reads these first; leave them whole
            continue
        parsers[event] = guarded(event, parse, known)


def shown(value: str, limit: int = _SHOWN) -> str:
    cut = value[:limit] + ("…" if len(value) > limit else "")
    return json.dumps(cut, ensure_ascii=True)  # quoted and escaped: no control characters in the log


def short(error: BaseException) -> str:
    return shown(f"{type(error).__name__}: {error}")
