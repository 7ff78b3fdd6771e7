"""memo.distribute.recipients: config/recipients.csv checked row by row, each problem at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from memo.distribute import recipients as recipients_module
from memo.distribute.recipients import check, load_recipients, read_memo_config
from unit.support import REPO

HEADER = "name,email,organisation,audiences,language\n"
AUDIENCES = {"rok_officials", "us_policymakers", "senior_readers"}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(tmp_path: Path, rows: str) -> list[str]:
    path = write(tmp_path / "config" / "recipients.csv", HEADER + rows)
    _, problems = load_recipients(path, "config/recipients.csv", AUDIENCES)
    return [str(p) for p in problems]


# ------------------------------------------------------------------------------------------------
# Recipients


def test_malformed_address_is_reported_with_its_line(tmp_path: Path) -> None:
    rows = (
        "Jordan Ellis,jordan@senate.example.org,Senate,us_policymakers,en\n"
        "Park Ji-ho,jiho@nsc.example.kr,NSC,rok_officials,en\n"
        "Kim Min-jun,kim@,MOFA,rok_officials,ko\n"
    )
    assert problems_of(tmp_path, rows) == [
        'config/recipients.csv:4: email: "kim@" is not an e-mail address (write it as name@domain)'
    ]


@pytest.mark.parametrize(
    "address",
    ["kim", "kim@example", "kim @example.org", "kim@exa_mple.org", "<kim@x.org>", "a@b@c.org"],
)
def test_addresses_that_are_not_plain_are_rejected(tmp_path: Path, address: str) -> None:
    (problem,) = problems_of(tmp_path, f'Kim,"{address}",MOFA,rok_officials,ko\n')
    assert problem.startswith("config/recipients.csv:2: email: ")


def test_unknown_audience_names_the_known_ones(tmp_path: Path) -> None:
    (problem,) = problems_of(
        tmp_path, "Kim,kim@mofa.example.kr,MOFA,rok_officials;us_policymaker,ko\n"
    )
    assert problem.startswith('config/recipients.csv:2: audiences: "us_policymaker" is not a known')
    assert "rok_officials, senior_readers, us_policymakers" in problem


def test_duplicate_address_empty_audience_and_bad_language(tmp_path: Path) -> None:
    rows = (
        "Kim,kim@mofa.example.kr,MOFA,rok_officials,ko\n"
        "Kim Min-jun,KIM@mofa.example.kr,MOFA,senior_readers,ko\n"
        "Lee,lee@motie.example.kr,MOTIE,,ko\n"
        "Oh,oh@kepi.example.kr,KEPI,senior_readers,Korean\n"
    )
    found = problems_of(tmp_path, rows)
    assert any(p.startswith("config/recipients.csv:3: email:") and "twice" in p for p in found)
    assert any(p.startswith("config/recipients.csv:4: audiences: is empty") for p in found)
    assert any(p.startswith('config/recipients.csv:5: language: "Korean"') for p in found)


def test_a_name_with_a_line_break_is_an_error(tmp_path: Path) -> None:
    # A quoted CSV field may hold a newline; in a To: header it would start a new header.
    rows = '"Kim\r\nBcc: everyone@example.org",kim@mofa.example.kr,MOFA,rok_officials,ko\n'
    (problem,) = problems_of(tmp_path, rows)
    assert problem.startswith("config/recipients.csv:2: name: contains a line break")


def test_check_reads_audiences_from_memos_yaml(tmp_path: Path) -> None:
    write(
        tmp_path / "config" / "memos.yaml",
        "audiences:\n  ministers: {label: Ministers}\n"
        "memos:\n  - {id: brief, audience: staff, languages: [ko, en]}\n",
    )
    write(
        tmp_path / "config" / "recipients.csv",
        HEADER + "A,a@example.org,X,ministers;staff,en\nB,b@example.org,X,rok_officials,en\n",
    )
    config = read_memo_config(tmp_path)
    assert config is not None
    assert config.audiences == {"ministers", "staff"}
    assert config.default_language == {"brief": "ko"}
    assert [str(p) for p in check(tmp_path)] == [
        'config/recipients.csv:3: audiences: "rok_officials" is not a known audience '
        "(config/memos.yaml: ministers, staff)"
    ]


def test_check_without_recipients_file_finds_nothing(tmp_path: Path) -> None:
    assert check(tmp_path) == []


def test_shipped_recipients_are_valid() -> None:
    people, problems = load_recipients(
        REPO / recipients_module.RECIPIENTS, recipients_module.RECIPIENTS, AUDIENCES
    )
    assert problems == []
    assert {a for p in people for a in p.audiences} == AUDIENCES
    assert {p.language for p in people if "rok_officials" in p.audiences} == {"ko", "en"}
    assert all(p.email.endswith((".example.org", ".example.kr")) for p in people)
    assert check(REPO) == []
