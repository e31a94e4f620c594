from __future__ import annotations

from bot.domain import Platform
from bot.services.roster import parse_roster

HEADER = "name,tier,type,region,language,timezone,platform,channel_id,workspace_id\n"


def test_valid_rows_are_normalised() -> None:
    rows, errors = parse_roster(
        "\ufeff" + HEADER + "Acme,Gold,Reseller,EMEA,en,Europe/Berlin,Slack,C0ACME0001,T1\n"
    )
    assert errors == []
    assert rows[0].partner.tier == "gold" and rows[0].channel is not None
    assert rows[0].channel.platform is Platform.SLACK and rows[0].line == 2


def test_one_partner_may_have_several_channels_but_one_profile() -> None:
    text = HEADER + (
        "Acme,gold,reseller,emea,en,UTC,slack,C0ACME0001,T1\n"
        "Acme,gold,reseller,emea,en,UTC,discord,123456789012345678,G1\n"
        "Acme,silver,reseller,emea,en,UTC,slack,C0ACME0002,T1\n"
    )
    _, errors = parse_roster(text)
    assert errors == ["line 4: 'Acme' differs from its line 2"]


def test_problems_are_reported_per_line() -> None:
    text = (
        HEADER
        + ",gold,reseller,emea,en,UTC,slack,C0ACME0001,T1\nB,gold,reseller,emea,en,UTC,slack,C1,T1,extra\n"
    )
    _, errors = parse_roster(text)
    assert errors[0].startswith("line 2: name is empty")
    assert errors[1].startswith("line 3:") and "more values than columns" in errors[1]


def test_several_problems_on_a_line_read_as_one_sentence() -> None:
    # A problem that is a sentence of its own ("… Accepted regions: …, apac.") loses its full stop
    # before the "; " that joins it to the next: no ".;" in the line.
    _, errors = parse_roster(HEADER + "Acme,gold,reseller,mars,en,UTC,slack,C0ACME0001,T1,extra\n")
    assert errors[0].startswith("line 2: ") and "more values than columns" in errors[0]
    assert ".;" not in errors[0], errors[0]


def test_empty_and_headerless_files() -> None:
    assert parse_roster(HEADER)[1] == ["the file has no partner rows"]
    assert "lacks" in parse_roster("")[1][0]
    assert "unknown column" in parse_roster(HEADER.strip() + ",notes\n")[1][0]
