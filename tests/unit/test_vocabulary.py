"""Known values (bot/vocabulary.py), the roster CSV's delimiter, topics and vocabulary checks, and the
`partner …` grammar."""

from __future__ import annotations

import pytest

from bot.commands import CommandError, PartnerRemove, PartnerSet, PartnerShow
from bot.config import Settings
from bot.domain import Audience
from bot.grammar import parse_admin
from bot.services.roster import parse_roster
from bot.vocabulary import UnknownValue, Vocabulary

HEADER = "name,tier,type,region,language,timezone,platform,channel_id,workspace_id"


def vocabulary(**held: set[str]) -> Vocabulary:
    return Vocabulary.build(Settings(_env_file=None), held)  # type: ignore[call-arg]


def test_defaults_and_settings_are_comma_separated_lower_case() -> None:
    settings = Settings(_env_file=None, tiers=" Bronze, GOLD ,gold", regions="na")  # type: ignore[call-arg]
    assert settings.tiers == ("bronze", "gold") and settings.regions == ("na",)
    assert Settings(_env_file=None).types[:2] == ("reseller", "distributor")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="short lower-case word"):
        Settings(_env_file=None, tiers="gold,top tier")  # type: ignore[call-arg]


def test_unknown_value_is_refused_with_did_you_mean_and_the_accepted_list() -> None:
    with pytest.raises(UnknownValue) as refused:
        vocabulary().check("tier", "Glod")
    assert refused.value.message == (
        'unknown tier "Glod" — did you mean "gold"? Accepted tiers: registered, silver, gold, platinum.'
    )
    assert vocabulary().check("region", "EMEA") == "emea"


def test_values_the_roster_holds_stay_valid() -> None:
    held = vocabulary(region={"amer"}, tier={"gold"})
    assert held.check("region", "amer") == "amer"
    assert held.accepted("region") == ("na", "latam", "emea", "apac", "amer")


def test_languages_are_bcp47_tags_in_standard_lower_case_form() -> None:
    v = vocabulary()
    assert [v.check("language", t) for t in ("en", "pt-BR", "en_US", "eng")] == ["en", "pt-br", "en-us", "en"]
    with pytest.raises(UnknownValue, match='"english" isn\'t a BCP 47 language tag'):
        v.check("language", "english")
    assert vocabulary(language={"xx-legacy"}).check("language", "xx-legacy") == "xx-legacy"


def test_audience_is_checked_value_by_value() -> None:
    checked = vocabulary().check_audience(Audience(tiers=frozenset({"gold"}), languages=frozenset({"DE"})))
    assert checked == Audience(tiers=frozenset({"gold"}), languages=frozenset({"de"}))
    with pytest.raises(UnknownValue, match='did you mean "reseller"'):
        vocabulary().check_audience(Audience(types=frozenset({"resellr"})))


def test_audience_options_are_what_the_vocabulary_accepts_per_key() -> None:
    options = vocabulary(region={"amer"}, language={"de"}).options()
    assert list(options) == ["tier", "type", "region", "language"]
    assert options["tier"] == ("registered", "silver", "gold", "platinum")
    assert options["region"] == ("na", "latam", "emea", "apac", "amer") and options["language"] == ("de",)
    for key, values in options.items():
        assert all(vocabulary(region={"amer"}, language={"de"}).check(key, v) == v for v in values)


def test_an_audience_is_built_from_the_values_picked_per_key() -> None:
    picked = Audience.of({"tier": ["gold", "gold"], "region": ("emea",), "language": []})
    assert picked == Audience(tiers=frozenset({"gold"}), regions=frozenset({"emea"}))
    assert Audience.of({}).is_everyone()


# --- CSV ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_separated_files_are_detected(delimiter: str) -> None:
    lines = [HEADER, "Acme GmbH,gold,reseller,emea,de,Europe/Berlin,slack,C0ACME0001,T1"]
    rows, errors = parse_roster("\n".join(line.replace(",", delimiter) for line in lines) + "\n")
    assert errors == [] and rows[0].partner.name == "Acme GmbH" and rows[0].partner.language == "de"


def test_a_file_whose_delimiter_cannot_be_told_is_refused_with_a_hint() -> None:
    _, errors = parse_roster("name;tier,type\tregion\nA;b,c\td\n")
    assert len(errors) == 1 and "use commas, semicolons or tabs throughout" in errors[0]


def test_csv_values_go_through_the_vocabulary() -> None:
    text = HEADER + "\nAcme,glod,reseller,mars,english,UTC,slack,C0ACME0001,T1\n"
    _, errors = parse_roster(text)
    assert errors[0].startswith('line 2: unknown tier "glod" — did you mean "gold"?')
    assert 'unknown region "mars"' in errors[0] and "BCP 47" in errors[0]


def test_topics_column_is_slugs_separated_by_spaces() -> None:
    text = HEADER + ",topics\nAcme,gold,reseller,emea,en,UTC,slack,C0ACME0001,T1,Security  pricing\n"
    rows, errors = parse_roster(text)
    assert errors == [] and rows[0].topics == ("security", "pricing")
    _, bad = parse_roster(text.replace("Security  pricing", '"security,pricing"'))
    assert "isn't a topic slug" in bad[0]


# --- grammar --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("partner Acme GmbH", PartnerShow("Acme GmbH")),
        ('partner "Set"', PartnerShow("Set")),
        (
            'partner set "Acme GmbH" tier:Gold timezone:Europe/Berlin',
            PartnerSet("Acme GmbH", (("tier", "gold"), ("timezone", "Europe/Berlin"))),
        ),
        ('partner remove "Acme GmbH"', PartnerRemove("Acme GmbH")),
    ],
)
def test_partner_commands_parse(text: str, expected: object) -> None:
    assert parse_admin(text) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("partner", ["Usage:"]),
        ('partner set "Acme"', ["Say what to change", 'partner set "Acme" tier:gold']),
        ('partner set "Acme" colour:red', ['unknown option "colour:"', "`timezone:`"]),
        ('partner set "Acme" tier:gold,silver', ["without commas"]),
        ("partner remove", ["Give the partner's name"]),
    ],
)
def test_partner_command_errors(text: str, words: list[str]) -> None:
    parsed = parse_admin(text)
    assert isinstance(parsed, CommandError)
    assert all(word in parsed.message for word in words), parsed.message
