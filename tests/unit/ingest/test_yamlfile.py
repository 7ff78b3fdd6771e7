"""memo.ingest.yamlfile: YAML read defensively, with the line of every node.

Duplicate keys, anchors and aliases, and nesting deeper than any config are refused at their line;
a hostile file (a depth bomb, a "billion laughs" file) fails fast with file:line, never with a
RecursionError or by eating memory.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from memo.ingest import yamlfile
from memo.ingest.schema import check_yaml
from memo.ingest.yamlfile import (
    MAX_DEPTH,
    UnsafeYaml,
    dotted,
    load_yaml_with_lines,
    parse_yaml_with_lines,
)
from unit.support import write

SCHEMA = {"type": "object"}  # the checks below happen before any schema is applied


def refused(text: str) -> UnsafeYaml:
    with pytest.raises(UnsafeYaml) as raised:
        parse_yaml_with_lines(text)
    return raised.value


def test_every_node_has_its_editor_line() -> None:
    doc = parse_yaml_with_lines("a: 1\nmemos:\n  - id: x\n    template: y\n  - id: z\n")
    assert doc.data == {"a": 1, "memos": [{"id": "x", "template": "y"}, {"id": "z"}]}
    assert doc.line_of(["a"]) == 1
    assert doc.line_of(["memos"]) == 2
    assert doc.line_of(["memos", 0, "template"]) == 4
    assert doc.line_of(["memos", 1, "id"]) == 5
    # A key the file lacks: the line of its nearest ancestor.
    assert doc.line_of(["memos", 1, "template"]) == 5


def test_a_nested_block_is_found_at_its_key_not_at_its_first_value() -> None:
    doc = parse_yaml_with_lines("indicators:\n  x:\n    label: X\n")
    assert doc.line_of(["indicators", "x"]) == 2


def test_an_empty_file_is_no_document() -> None:
    assert parse_yaml_with_lines("").data is None
    assert parse_yaml_with_lines("# only a comment\n").data is None


def test_dotted_paths_read_as_an_analyst_writes_them() -> None:
    assert dotted(["memos", 2, "template"]) == "memos[2].template"
    assert dotted(["indicators", "x", "derive", "of"]) == "indicators.x.derive.of"


def test_a_duplicate_key_is_refused_at_its_line() -> None:
    error = refused("units:\n  percent:\n    min: 0\n    max: 100\n    min: 5\n")
    assert (error.line, error.problem) == (5, "duplicate key 'min', first on line 3")
    assert error.hint == "keep one: YAML would silently use the last"


def test_anchors_and_aliases_are_refused_at_their_line() -> None:
    error = refused("a: &base\n  x: 1\nb: 2\n")
    assert error.line == 1 and "anchor '&base'" in error.problem
    # An alias without its anchor is a syntax error already; with one, the anchor is found first.
    error = refused("a: 1\nb: &x 2\nc: *x\n")
    assert error.line == 2


def test_nesting_deeper_than_any_config_is_refused() -> None:
    # The mapping holding "a" is a level too.
    ok = "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    assert parse_yaml_with_lines(ok).data is not None
    error = refused("a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n")
    assert (error.line, error.problem) == (1, f"nested more than {MAX_DEPTH} levels deep")


def test_a_depth_bomb_fails_fast_at_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "config/memos.yaml", "memos:\n  - " + "[" * 200_000 + "\n")
    start = time.monotonic()
    doc, problems = check_yaml(path, "config/memos.yaml", SCHEMA)
    assert time.monotonic() - start < 10  # fails fast: expanded, it would take minutes and GBs
    assert doc is None
    assert [str(p) for p in problems] == [
        f"config/memos.yaml:2: yaml: nested more than {MAX_DEPTH} levels deep "
        "(a config never needs that many levels: check the brackets and indentation)"
    ]


def test_a_billion_laughs_file_fails_fast_at_its_first_anchor(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    path = write(tmp_path / "data/dictionary.yaml", "units: {}\n" + "\n".join(lines) + "\n")
    start = time.monotonic()
    doc, problems = check_yaml(path, "data/dictionary.yaml", SCHEMA)
    assert time.monotonic() - start < 10  # fails fast: expanded, it would take minutes and GBs
    assert doc is None
    assert [str(p) for p in problems] == [
        "data/dictionary.yaml:2: yaml: anchor '&a' lets other parts of the file repeat this one "
        "(write each value out in full; anchors and aliases are not accepted)"
    ]


def test_a_file_too_large_for_any_config_is_refused() -> None:
    error = refused("a: " + "x" * (9 << 20) + "\n")
    assert (error.line, error.problem) == (1, "file is larger than 8 MB")


def test_load_reads_utf8_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_bytes(b"\xef\xbb\xbftitle: \xea\xb4\x80\xec\x84\xb8\n")
    assert load_yaml_with_lines(path).data == {"title": "관세"}


def test_a_text_is_parsed_once_and_each_reader_gets_its_own_copy() -> None:
    text = "memos:\n  - id: trade-brief\n    languages: [en, ko]\n"
    first = parse_yaml_with_lines(text)
    first.data["memos"][0]["languages"].append("fr")  # one reader changes what it was given
    first.lines.clear()
    hits = yamlfile._parsed.cache_info().hits
    second = parse_yaml_with_lines(text)
    assert yamlfile._parsed.cache_info().hits == hits + 1  # not parsed again
    assert second.data == {"memos": [{"id": "trade-brief", "languages": ["en", "ko"]}]}
    assert second.line_of(("memos", 0, "languages")) == 3
