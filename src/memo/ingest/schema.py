"""Check YAML files against JSON Schemas, reporting each violation at the line of the offending key.

jsonschema says *what* is wrong and *where* as a path (``memos/2/template``); ``yaml.compose`` knows
where each node starts in the file. Joining the two gives ``config/memos.yaml:14: memos[2].template:
…``. Schemas live in ``src/memo/ingest/schemas/*.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from memo.core.files import UNREADABLE_HINT, UnsafeInput, read_input
from memo.core.problems import Problem
from memo.core.text import article, control_character
from memo.ingest.tables import decode, invisible_character
from memo.ingest.yamlfile import (
    TEXT_KEYS,
    UnsafeYaml,
    YamlDoc,
    dotted,
    parse_yaml_with_lines,
)

__all__ = ["YamlDoc", "dotted", "check_yaml", "load_schema", "schema_problems"]

SCHEMA_DIR = Path(__file__).with_name("schemas")
# The longest text one YAML value may hold: far beyond any label, title or description, and
# short enough that no page or PDF layout chokes on it.
MAX_TEXT = 20_000


def load_schema(name: str) -> dict[str, Any]:
    """Load a bundled schema by name (``dictionary`` -> ``schemas/dictionary.schema.yaml``)."""
    return _schema_file(str(SCHEMA_DIR / f"{name}.schema.yaml"))


@lru_cache(maxsize=16)
def _schema_file(path: str) -> dict[str, Any]:
    """A schema file, parsed once per process (with libyaml when present: the pure-Python parser
    took a quarter of a second per check of a small project). Callers must not change it."""
    loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=loader)


def check_yaml(
    path: Path | str, display_path: str, schema: Mapping[str, Any] | Path | str
) -> tuple[YamlDoc | None, list[Problem]]:
    """Parse a YAML file and check it against a schema; None if it can't be parsed at all."""
    try:
        raw = read_input(path, display_path)
    except UnsafeInput as err:
        return None, [Problem(display_path, 1, "file", err.reason, err.hint)]
    except FileNotFoundError:
        hint = (
            f"restore it with git checkout -- {display_path}, or write it as the README describes"
        )
        return None, [Problem(display_path, 1, "file", "file not found", hint)]
    except OSError as err:
        what = f"cannot read file: {err.strerror}"
        return None, [Problem(display_path, 1, "file", what, UNREADABLE_HINT)]
    text, problems = decode(raw, display_path)
    try:
        doc = parse_yaml_with_lines(text)
    except UnsafeYaml as err:
        return None, [*problems, Problem(display_path, err.line, "yaml", err.problem, err.hint)]
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else 1
        what = f"YAML syntax error: {err.problem or err.context}"
        hint = "check the indentation, and quote text that contains ': ' or starts with a symbol"
        return None, [*problems, Problem(display_path, line, "yaml", what, hint)]
    except yaml.YAMLError as err:
        return None, [*problems, Problem(display_path, 1, "yaml", f"YAML error: {err}")]
    if not isinstance(schema, Mapping):
        schema = _schema_file(str(schema))
    problems += invisible_problems(doc, display_path)
    return doc, problems + schema_problems(doc, display_path, schema)


def invisible_problems(doc: YamlDoc, display_path: str) -> list[Problem]:
    """Report control characters in any key or text (line breaks and tabs are allowed in text a
    reader sees, ``TEXT_KEYS``), bidirectional controls in any text, and zero-width characters in
    keys (ids). A quoted YAML string can hold any of them as an escape (``"\\e"``, ``"\\0"``)."""
    found = []
    control_hint = "delete it; a control character has no place in data"
    invisible_hint = "delete it; it is invisible but changes how the text reads or compares"

    def check(text: str, path: list[str | int], free_text: bool, key: bool) -> None:
        if len(text) > MAX_TEXT:
            what = f"is {len(text):,} characters long; memo takes at most {MAX_TEXT:,}"
            found.append((path, what, "shorten it: a label or a note, not a document"))
            return
        what, hint = control_character(text, free_text=free_text), control_hint
        if not what:
            what, hint = invisible_character(text, zero_width=key), invisible_hint
        if what:
            found.append((path, f"{'key ' if key else ''}contains {article(what)} {what}", hint))

    def walk(value: Any, path: list[str | int], free_text: bool) -> None:
        if isinstance(value, str):
            check(value, path, free_text, key=False)
        elif isinstance(value, dict):
            for key, item in value.items():
                check(str(key), path + [str(key)], False, key=True)
                walk(item, path + [str(key)], str(key) in TEXT_KEYS)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, path + [index], free_text)

    walk(doc.data, [], False)
    return [Problem(display_path, doc.line_of(p), dotted(p), w, h) for p, w, h in found]


def check_against_schema(
    path: Path | str, display_path: str, schema_path_or_dict: Mapping[str, Any] | Path | str
) -> tuple[Any, list[Problem]]:
    """Load a YAML file and check it against a JSON Schema; return its data and the problems."""
    doc, problems = check_yaml(path, display_path, schema_path_or_dict)
    return (doc.data if doc else None), problems


def schema_problems(doc: YamlDoc, display_path: str, schema: Mapping[str, Any]) -> list[Problem]:
    """List every schema violation in ``doc``, each at the line of the node it concerns."""
    # Imported here: jsonschema takes a noticeable share of start-up time.
    from jsonschema.validators import validator_for

    validator = validator_for(schema)(schema)
    found: dict[Problem, None] = {}  # a dict keeps order and drops repeats
    for error in validator.iter_errors(doc.data):
        for node_path, problem, hint in _describe(error, doc):
            line = doc.line_of(node_path)
            found[Problem(display_path, line, dotted(node_path), problem, hint)] = None
    return sorted(found, key=lambda p: p.line)


def _describe(error: Any, doc: YamlDoc) -> Iterator[tuple[list[str | int], str, str]]:
    """Explain one jsonschema error as (path of the node, problem, hint) in plain words."""
    from jsonschema.exceptions import best_match

    path = list(error.absolute_path)
    kind, schema, instance = error.validator, error.schema, error.instance
    if kind in ("anyOf", "oneOf") and error.context:
        yield from _describe(best_match(error.context), doc)
    elif kind == "additionalProperties" and isinstance(instance, dict):
        allowed = list(schema.get("properties", {}))
        patterns = list(schema.get("patternProperties", {}))
        if allowed:
            hint = "allowed: " + ", ".join(allowed)
        else:
            hint = "keys here must match " + " or ".join(patterns)
        for key in instance:
            if key not in allowed and not any(re.search(p, str(key)) for p in patterns):
                yield [*path, key], f"unknown key '{key}'", hint
    elif kind == "required" and isinstance(instance, dict):
        for key in error.validator_value:
            if key not in instance:
                yield path, f"missing key '{key}'", f"add key '{key}'"
    elif kind == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)
        yield path, f"{instance!r} is not an allowed value", f"allowed: {allowed}"
    elif kind == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        hint = schema.get("description") or f"write a value of type {expected}"
        typed = doc.plain.get(tuple(str(p) for p in path))
        if typed is not None and "string" in expected:
            # YAML read an unquoted 2024, true or null as a number, boolean or nothing.
            kind_read = {"null": "empty value"}.get(_json_type(instance), _json_type(instance))
            hint = f'write "{typed}" in quotes: unquoted, YAML reads it as a {kind_read}'
        elif isinstance(instance, str) and ("number" in expected or "integer" in expected):
            try:
                float(instance)
            except ValueError:
                pass
            else:
                hint = f"write {instance} without quotes: quoted, it is text"

        yield path, f"expected {expected}, found {_json_type(instance)} {instance!r}", hint
    else:
        # What the key is for tells how to fix it (a bound, a pattern, a length).
        yield path, error.message, schema.get("description", "")


def _json_type(value: Any) -> str:
    """Name the JSON type of a loaded YAML value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"
