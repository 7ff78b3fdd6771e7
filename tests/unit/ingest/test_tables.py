"""memo.ingest.tables.read_table: what spreadsheets write is read; what they get wrong is reported."""

from __future__ import annotations

from pathlib import Path

from memo.ingest.tables import read_table

REQUIRED = ("id", "name")
OPTIONAL = ("note",)


def read(
    tmp_path: Path, content: str | bytes
) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    """Write ``content`` as t.csv and read it; return (line, values) pairs and problem strings."""
    path = tmp_path / "t.csv"
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    rows, problems = read_table(path, "data/t.csv", REQUIRED, OPTIONAL)
    return [(r.line, r.values) for r in rows], [str(p) for p in problems]


def test_plain_file(tmp_path: Path) -> None:
    rows, problems = read(tmp_path, "id,name,note\na,Alpha,first\nb,Beta,\n")
    assert problems == []
    assert rows == [
        (2, {"id": "a", "name": "Alpha", "note": "first"}),
        (3, {"id": "b", "name": "Beta", "note": ""}),
    ]


def test_optional_column_may_be_absent(tmp_path: Path) -> None:
    rows, problems = read(tmp_path, "id,name\na,Alpha\n")
    assert problems == []
    assert rows == [(2, {"id": "a", "name": "Alpha", "note": ""})]


def test_utf8_bom_is_dropped(tmp_path: Path) -> None:
    rows, problems = read(tmp_path, b"\xef\xbb\xbfid,name\r\na,Alpha\r\n")
    assert problems == []
    assert rows == [(2, {"id": "a", "name": "Alpha", "note": ""})]


def test_crlf_line_ends(tmp_path: Path) -> None:
    rows, problems = read(tmp_path, "id,name,note\r\na,Alpha,x\r\nb,Beta,y\r\n")
    assert problems == []
    assert [line for line, _ in rows] == [2, 3]
    assert rows[1][1]["note"] == "y"


def test_quoted_field_with_commas(tmp_path: Path) -> None:
    rows, problems = read(tmp_path, 'id,name,note\na,"Alpha, Inc.","1, 2, 3"\n')
    assert problems == []
    assert rows[0][1] == {"id": "a", "name": "Alpha, Inc.", "note": "1, 2, 3"}


def test_korean_text(tmp_path: Path) -> None:
    rows, problems = read(tmp_path, "id,name,note\nkor,대한민국,관세율 25% 부과\n")
    assert problems == []
    assert rows[0][1] == {"id": "kor", "name": "대한민국", "note": "관세율 25% 부과"}


def test_spaces_around_header_names_and_values_are_stripped(tmp_path: Path) -> None:
    rows, problems = read(tmp_path, " id , name ,note  \na  ,Alpha  ,  x \n")
    assert problems == []
    assert rows[0][1] == {"id": "a", "name": "Alpha", "note": "x"}


def test_multiline_quoted_note_shifts_line_numbers(tmp_path: Path) -> None:
    text = (
        "id,name,note\n"  #           line 1
        'a,Alpha,"first line\n'  #     line 2: the record starts here
        "second line\n"  #             line 3
        'third line"\n'  #             line 4
        "b,Beta,\n"  #                 line 5
        "c,Gamma,x,extra\n"  #         line 6: a problem is reported here
    )
    rows, problems = read(tmp_path, text)
    assert rows == [
        (2, {"id": "a", "name": "Alpha", "note": "first line\nsecond line\nthird line"}),
        (5, {"id": "b", "name": "Beta", "note": ""}),
    ]
    assert problems == [
        "data/t.csv:6: row: row has 4 fields but the header has 3 "
        "(put double quotes around a field that contains a comma)"
    ]


def test_blank_lines_and_rows_of_bare_commas_are_skipped(tmp_path: Path) -> None:
    rows, problems = read(tmp_path, "id,name,note\n\na,Alpha,\n,,\n")
    assert problems == []
    assert rows == [(3, {"id": "a", "name": "Alpha", "note": ""})]


def test_trailing_empty_cells_are_harmless(tmp_path: Path) -> None:
    rows, problems = read(tmp_path, "id,name,note\na,Alpha,x,,\n")
    assert problems == []
    assert rows[0][1]["note"] == "x"


def test_empty_file(tmp_path: Path) -> None:
    rows, problems = read(tmp_path, "")
    assert rows == []
    assert problems == [
        "data/t.csv:1: file: file is empty (the first line must be the header: id,name,note)"
    ]


def test_header_only(tmp_path: Path) -> None:
    _, problems = read(tmp_path, "id,name,note\n")
    assert problems == [
        "data/t.csv:1: file: file has a header but no rows (add one row per record under the header)"  # noqa: E501
    ]


def test_missing_required_column(tmp_path: Path) -> None:
    rows, problems = read(tmp_path, "id,note\na,x\n")
    assert rows == []
    assert problems == ["data/t.csv:1: header: missing column 'name' (header found: id, note)"]


def test_unknown_column(tmp_path: Path) -> None:
    rows, problems = read(tmp_path, "id,name,colour\na,Alpha,red\n")
    assert rows == [(2, {"id": "a", "name": "Alpha", "note": ""})]
    assert problems == [
        "data/t.csv:1: header: unknown column 'colour' (allowed columns: id, name, note)"
    ]


def test_duplicate_column(tmp_path: Path) -> None:
    _, problems = read(tmp_path, "id,name,name\na,Alpha,Beta\n")
    assert problems == [
        "data/t.csv:1: header: duplicate column 'name' (keep one column named 'name')"
    ]


def test_semicolon_separated(tmp_path: Path) -> None:
    rows, problems = read(tmp_path, "id;name;note\na;Alpha;x\n")
    assert rows == []
    assert problems == [
        "data/t.csv:1: header: looks separated by ';', not commas (save as comma-separated CSV)"
    ]


def test_tab_separated(tmp_path: Path) -> None:
    _, problems = read(tmp_path, "id\tname\tnote\na\tAlpha\tx\n")
    assert problems == [
        "data/t.csv:1: header: looks separated by tabs, not commas (save as comma-separated CSV)"
    ]


def test_invalid_utf8_reports_the_line_of_the_first_bad_byte(tmp_path: Path) -> None:
    # Line 3 was saved by Korean Windows Excel (CP949), not UTF-8.
    content = "id,name,note\na,Alpha,\nk,Korea,관세\n".encode("cp949")
    rows, problems = read(tmp_path, content)
    assert problems == [
        "data/t.csv:3: encoding: byte 0xB0 is not valid UTF-8; the file looks saved as "
        "CP949/EUC-KR (save the file as UTF-8)"
    ]
    assert [line for line, _ in rows] == [2, 3]  # the rest of the file is still checked


def test_utf16_file(tmp_path: Path) -> None:
    rows, problems = read(tmp_path, "id,name\na,Alpha\n".encode("utf-16"))
    assert problems == ["data/t.csv:1: encoding: file is saved as UTF-16 (save the file as UTF-8)"]
    assert rows == [(2, {"id": "a", "name": "Alpha", "note": ""})]


def test_row_with_too_many_fields(tmp_path: Path) -> None:
    _, problems = read(tmp_path, "id,name,note\na,Alpha,big, bigger\n")
    assert problems == [
        "data/t.csv:2: row: row has 4 fields but the header has 3 "
        "(put double quotes around a field that contains a comma)"
    ]


def test_row_with_too_few_fields(tmp_path: Path) -> None:
    _, problems = read(tmp_path, "id,name,note\na,Alpha,x\nb\n")
    assert problems == [
        "data/t.csv:3: row: row has 1 field but the header has 3 "
        "(leave a blank value as nothing between two commas)"
    ]


def test_unclosed_quote(tmp_path: Path) -> None:
    _, problems = read(tmp_path, 'id,name,note\na,Alpha,"never closed\nb,Beta,\n')
    assert problems == [
        "data/t.csv:2: row: a double quote opened in this record is never closed "
        '(quote the whole field and double the quotes inside it: "he said ""no""")'
    ]


def test_stray_quote_inside_a_field_does_not_stop_the_reading(tmp_path: Path) -> None:
    rows, problems = read(tmp_path, 'id,name,note\na,"Alpha" Inc,\nb,Beta,\n')
    assert problems == [
        "data/t.csv:2: row: badly quoted field: ',' expected after '\"' "
        '(quote the whole field and double the quotes inside it: "he said ""no""")'
    ]
    assert rows == [(3, {"id": "b", "name": "Beta", "note": ""})]


def test_value_in_a_column_without_header(tmp_path: Path) -> None:
    _, problems = read(tmp_path, "id,name,\na,Alpha,oops\n")
    assert problems == [
        "data/t.csv:2: row: field 3 has a value but its column has no header "
        "(name the column or clear it)"
    ]


def test_missing_file(tmp_path: Path) -> None:
    rows, problems = read_table(tmp_path / "nope.csv", "data/nope.csv", REQUIRED)
    assert rows == []
    assert [str(p) for p in problems] == [
        "data/nope.csv:1: file: file not found (create it with header id,name)"
    ]


def test_bidirectional_controls_are_reported_in_every_cell(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("id,name,note\na,Alpha,\u202eevil\n", encoding="utf-8")
    _, problems = read_table(path, "data/t.csv", REQUIRED, OPTIONAL, text_columns=("note",))
    assert [str(p) for p in problems] == [
        "data/t.csv:2: note: contains a right-to-left override (U+202E) "
        "(delete it; it is invisible but changes how the text reads or compares)"
    ]


def test_zero_width_characters_are_kept_in_free_text_but_not_in_ids(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("id,name,note\na\u200b,Alpha,joined\u200dword\n", encoding="utf-8")
    rows, problems = read_table(path, "data/t.csv", REQUIRED, OPTIONAL, text_columns=("note",))
    assert [str(p) for p in problems] == [
        "data/t.csv:2: id: contains a zero width space (U+200B) "
        "(delete it; it is invisible but changes how the text reads or compares)"
    ]
    assert rows[0]["note"] == "joined\u200dword"


def test_unreadable_file_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    rows, problems = read_table(tmp_path, "data/t.csv", REQUIRED)  # a folder, not a file
    assert rows == []
    assert [p.column for p in problems] == ["file"]
    assert problems[0].problem.startswith("cannot read file: ")
    assert problems[0].hint == "check that it is a file you can read"
