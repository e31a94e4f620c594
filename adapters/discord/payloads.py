"""Typed, validated views of the Discord gateway payloads partnerbot acts on, as discord.py reads them.

Field by field what discord.py's parsers and partnerbot's handlers read unguarded (a missing key there
is a KeyError inside the gateway loop, or an object dispatched half-built), from Discord's documentation
(https://discord.com/developers/docs/events/gateway-events) and discord.py 2.7's own source. `edge.py`
checks each dispatch against them before discord.py parses it.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

MAX_SNOWFLAKE: Final = 2**63 - 1  # Discord ids are 64-bit; the database's BIGINT is signed
MAX_TEXT: Final = 6_000  # message content (2,000; 4,000 with Nitro), a modal value (4,000), names
_SELECTS: Final = (3, 5, 6, 7, 8)  # string, user, role, mentionable and channel selects
MAX_CUSTOM_ID: Final = 100  # https://discord.com/developers/docs/components/reference#anatomy-of-a-component


def _snowflake(value: Any) -> int:
    # Discord sends every id as a string: https://discord.com/developers/docs/reference#snowflakes
    if not isinstance(value, str) or not (value.isascii() and value.isdigit() and len(value) <= 20):
        raise ValueError("a snowflake is a string of digits")
    number = int(value)
    if not 0 <= number <= MAX_SNOWFLAKE:
        raise ValueError("snowflake out of range")
    return number


Snowflake = Annotated[int, BeforeValidator(_snowflake)]
Text = Annotated[str, Field(max_length=MAX_TEXT)]
Obj = dict[str, Any]


# Optional lists and objects are "absent, or of their type", never null: discord.py reads them with
# `data.get(key, [])` and iterates what it gets.
class Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)


class User(Model):
    """discord.py's User reads these keys unguarded; a Message whose author fails to read is still
    dispatched, without an `author` (its constructor skips a KeyError), so they are checked here."""

    id: Snowflake
    username: Text
    discriminator: Text
    avatar: Text | None
    bot: bool = False
    global_name: Text | None = None


class Member(Model):
    user: User | None = None
    roles: list[Snowflake]
    nick: Text | None = None
    permissions: Annotated[str, Field(pattern=r"^[0-9]{1,40}$")] | None = None


class SelectOption(Model):
    label: Text
    value: Text
    description: Text | None = None
    default: bool | None = None
    emoji: Obj | None = None


class Component(Model):
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


class MessageCreate(Model):
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


class PartialChannel(Model):
    id: Snowflake
    type: int


class Emoji(Model):
    id: Snowflake | None = None
    name: Text | None = None


class Reaction(Model):
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


class Option(Model):
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


class CommandData(Model):
    id: Snowflake
    name: Annotated[str, Field(min_length=1, max_length=32)]
    type: Annotated[int, Field(ge=1, le=4)] = 1
    options: list[Option] = []
    resolved: Obj = {}
    target_id: Snowflake | None = None
    guild_id: Snowflake | None = None


CustomId = Annotated[str, Field(min_length=1, max_length=MAX_CUSTOM_ID)]


class ComponentData(Model):
    custom_id: CustomId
    component_type: Annotated[int, Field(ge=2, le=8)]
    values: list[Text] = []


class Submitted(Model):
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


class ModalData(Model):
    custom_id: CustomId
    components: list[Submitted]


class InteractionCreate(Model):
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
