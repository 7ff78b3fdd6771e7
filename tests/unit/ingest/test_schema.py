"""memo.ingest.schema: YAML checked against a JSON Schema, each violation at the line of its node."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from memo.ingest.schema import SCHEMA_DIR, check_against_schema, check_yaml, load_schema
from memo.ingest.yamlfile import load_yaml_with_lines
from unit.support import write

MEMOS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "memos": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "template", "language"],
                "properties": {
                    "id": {"type": "string"},
                    "template": {"enum": ["brief", "long"]},
                    "language": {"type": "string"},
                    "pages": {"type": "integer", "description": "Length target in pages."},
                },
            },
        }
    },
}


def test_schema_violation_reported_at_the_line_of_the_node(tmp_path: Path) -> None:
    memos = write(
        tmp_path / "config/memos.yaml",
        """\
        memos:
          - id: a
            template: brief
          - id: b
            template: brief
          - id: c
            template: breif
            colour: red
        """,
    )
    data, found = check_against_schema(memos, "config/memos.yaml", MEMOS_SCHEMA)
    assert data["memos"][2]["template"] == "breif"
    assert [str(p) for p in found] == [
        "config/memos.yaml:2: memos[0]: missing key 'language' (add key 'language')",
        "config/memos.yaml:4: memos[1]: missing key 'language' (add key 'language')",
        "config/memos.yaml:6: memos[2]: missing key 'language' (add key 'language')",
        "config/memos.yaml:7: memos[2].template: 'breif' is not an allowed value "
        "(allowed: brief, long)",
        "config/memos.yaml:8: memos[2].colour: unknown key 'colour' "
        "(allowed: id, template, language, pages)",
    ]
    assert load_yaml_with_lines(memos).line_of(["memos", 2, "template"]) == 7


def test_a_wrong_type_is_explained_with_what_the_key_is_for(tmp_path: Path) -> None:
    memos = write(
        tmp_path / "m.yaml",
        "memos:\n  - {id: a, template: brief, language: en,\n     pages: two}\n",
    )
    _, found = check_against_schema(memos, "config/memos.yaml", MEMOS_SCHEMA)
    assert [str(p) for p in found] == [
        "config/memos.yaml:3: memos[0].pages: expected integer, found string 'two' "
        "(Length target in pages.)"
    ]


def test_a_syntax_error_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "m.yaml", "memos:\n  - id: a\n    title: Trade: growth\n")
    doc, found = check_yaml(path, "config/memos.yaml", MEMOS_SCHEMA)
    assert doc is None
    assert [str(p) for p in found] == [
        "config/memos.yaml:3: yaml: YAML syntax error: mapping values are not allowed here "
        "(check the indentation, and quote text that contains ': ' or starts with a symbol)"
    ]


def test_a_missing_file_is_one_problem(tmp_path: Path) -> None:
    doc, found = check_yaml(tmp_path / "nope.yaml", "config/memos.yaml", MEMOS_SCHEMA)
    assert doc is None
    assert [str(p) for p in found] == [
        "config/memos.yaml:1: file: file not found "
        "(restore it with git checkout -- config/memos.yaml, or write it as the README describes)"
    ]


def test_invisible_characters_in_text_and_keys(tmp_path: Path) -> None:
    path = write(
        tmp_path / "m.yaml",
        "memos:\n  - id: a\n    template: brief\n    language: \u202een\n  - id\u200b: b\n",
    )
    _, found = check_yaml(path, "config/memos.yaml", {"type": "object"})
    hint = "(delete it; it is invisible but changes how the text reads or compares)"
    assert [str(p) for p in found] == [
        f"config/memos.yaml:4: memos[0].language: contains a right-to-left override (U+202E) {hint}",
        f"config/memos.yaml:5: memos[1].id\\u200b: key contains a zero width space (U+200B) {hint}",
    ]


@pytest.mark.parametrize("name", ["dictionary", "config"])
def test_schemas_document_and_close_every_object(name: str) -> None:
    """A misspelt key is an error, never a silent default; every key says what it is for."""
    schema = yaml.safe_load((SCHEMA_DIR / f"{name}.schema.yaml").read_text(encoding="utf-8"))

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            types = node.get("type") if isinstance(node.get("type"), list) else [node.get("type")]
            # A derive block's parameters depend on its kind: memo.derive checks them.
            if "object" in types and not where.endswith(".derive"):
                assert node.get("additionalProperties") is False, where
            for key, prop in node.get("properties", {}).items():
                assert "description" in prop, f"{where}.{key}"
                walk(prop, f"{where}.{key}")
            for key, value in node.items():
                if key != "properties":
                    walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{where}[{i}]")

    walk(schema, name)


def test_load_schema_reads_the_bundled_schemas() -> None:
    assert load_schema("memos")["required"] == ["audiences", "memos"]
