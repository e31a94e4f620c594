"""The Discord gateway edge: a dispatch is checked before discord.py parses it, and never breaks the client.

discord.py parses a dispatch inside the gateway's read loop (`DiscordWebSocket.received_message` calls
the connection state's `parse_<event>`); an exception there ends the shard's worker and closes the whole
client (discord/shard.py, `EventType.terminate`). Discord's payloads change over time, so every parser
is wrapped (`guard_parsers`):

- text is normalised first (`bot.safety.clean_text`: lone surrogates → U+FFFD, NUL dropped), so ids,
  names, message content and modal values reach the core and the database storable;
- the events partnerbot handles (MESSAGE_CREATE, MESSAGE_REACTION_ADD/REMOVE, INTERACTION_CREATE) are
  validated against models of the fields discord.py and partnerbot's handlers read (payloads.py),
  including the custom_id of a component
  or modal (`Known`): one partnerbot never issued is not dispatched;
- a payload that does not fit, or that a parser still fails on, is logged once at WARNING with its event
  type and dropped: nothing changes and the connection stays up.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Container, MutableMapping
from dataclasses import dataclass
from typing import Any, Final

import discord.utils as discord_utils
from pydantic import ValidationError

from adapters.discord import translate as tr
from adapters.discord.payloads import (
    MAX_SNOWFLAKE,
    CommandData,
    ComponentData,
    InteractionCreate,
    MessageCreate,
    ModalData,
    Model,
    Option,
    Reaction,
)
from bot.safety import clean_text

log = logging.getLogger(__name__)

Parser = Callable[[Any], None]
_SHOWN: Final = 60  # characters of a value kept in a log line
_REASON: Final = 160  # characters of a reason (which holds a value) kept in a log line
_MODELS: Final[dict[str, type[Model]]] = {
    "MESSAGE_CREATE": MessageCreate,
    "MESSAGE_REACTION_ADD": Reaction,
    "MESSAGE_REACTION_REMOVE": Reaction,
    "INTERACTION_CREATE": InteractionCreate,
}


@dataclass(frozen=True, slots=True)
class Known:
    """The custom_ids partnerbot answers: its persistent buttons, core buttons, preview and language selects
    (translate.py), and the modals discord.py holds open right now (`modals`; None: not known, so
    discord.py decides, dropping a modal it does not hold)."""

    modals: Container[str] | None = None

    def component(self, custom_id: str) -> bool:
        if custom_id in {spec.custom_id for spec in tr.PERSISTENT_BUTTONS}:
            return True
        if tr.CORE_BUTTON.fullmatch(custom_id):
            return True
        cta = tr.CTA_BUTTON.fullmatch(custom_id)
        if cta is not None:
            return int(cta["id"]) <= MAX_SNOWFLAKE
        select = tr.PREVIEW_SELECT.fullmatch(custom_id)
        if select is not None:
            return int(select["id"]) <= MAX_SNOWFLAKE
        chooser = tr.TRANSLATION_SELECT.fullmatch(custom_id)
        return chooser is not None and max(int(chooser["id"]), int(chooser["message"])) <= MAX_SNOWFLAKE

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


_INTERACTION_DATA: Final[dict[int, type[Model]]] = {
    2: CommandData,
    3: ComponentData,
    4: CommandData,
    5: ModalData,
}


def _focused(options: list[Option] | None) -> int:
    return sum(bool(o.focused) + _focused(o.options) for o in options or [])


def _read(model: type[Model], data: Any, where: str = "") -> Model:
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


def parse_json_as_discord_sends_it() -> None:
    """discord.py parses gateway frames and REST answers with orjson whenever orjson is installed (the
    Slack sender uses it), and orjson refuses the lone surrogates (`"\\ud800"`) that Discord passes
    through from users' text: the frame would fail inside discord.py, before `guarded` could normalise
    it. The standard library parses them (to be cleaned by `normalised`), as discord.py does without
    orjson; encoding (what partnerbot sends, already clean) stays as discord.py chose."""
    discord_utils._from_json = _stdlib_loads


def _stdlib_loads(data: str | bytes | bytearray | memoryview) -> Any:
    return json.loads(bytes(data) if isinstance(data, memoryview) else data)


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
