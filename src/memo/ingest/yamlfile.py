"""Read the YAML files analysts edit, defensively, keeping the line of every node.

PyYAML alone lets the last of two equal keys win without a word (a bad merge once widened a
plausible range that way), expands aliases without limit (a "billion laughs" file of a few lines
takes all memory) and recurses once per nesting level (a deeply nested list ends in RecursionError).
Here a file is first scanned as a flat stream of events, which costs time and memory in proportion
to its size: anchors and aliases are refused, and nesting deeper than :data:`MAX_DEPTH` or more
than :data:`MAX_VALUES` values stop the read, each at its line. Only then is it composed,
duplicate keys are reported at their line, and the document is built.

While it is built, every key and every string that is not text a reader sees (``TEXT_KEYS``) is put
in its normal form (:func:`memo.core.text.normal`), so ``IND`` and ``ＩＮＤ`` are one key (and two
of them a duplicate). Keys are always text as typed: YAML 1.1 reads ``NO:`` (Norway) as false and
``2024:`` as a number. A value is text too where YAML 1.1 alone would read it otherwise: ``yes``,
``no``, ``on`` and ``off`` (booleans only in YAML 1.1) and dates (``2025-09-15`` unquoted). The
text of any other unquoted scalar that is not read as text (``2024``, ``true``, ``null``) is kept in
:attr:`YamlDoc.plain`, for a hint to quote it where text was expected.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from memo.core.files import read_input
from memo.core.text import article, control_character, normal
from memo.ingest.tables import decode

Pointer = tuple[str, ...]

# Deeper than any real config (memos.yaml nests five levels); far below Python's recursion limit.
MAX_DEPTH = 32
# Larger than any real config or dictionary by a factor of a hundred.
MAX_BYTES = 8 << 20
# Values (scalars, lists, mappings) in one file: ten times those of a 200-memo edition's
# memos.yaml (about 10,000). Each costs about a kilobyte once built, so this bounds memory too.
MAX_VALUES = 100_000
# Keys whose values are text a reader sees (labels, titles, notes, formats): kept as written, and
# allowed to span lines. Every other string is an id, code, period or setting.
TEXT_KEYS = frozenset(
    "label symbol format name description derivation superlative subject title subtitle caption "
    "alt keywords marking author publisher note".split()
)
_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_BOOL = "tag:yaml.org,2002:bool"
# Words YAML 1.1 reads as booleans and YAML 1.2 does not (``NO`` is Norway's code).
_YAML11_BOOLEANS = frozenset({"yes", "no", "on", "off"})


class UnsafeYaml(yaml.YAMLError):
    """A YAML file that is refused before it is built: ``line``, ``problem`` and ``hint``."""

    def __init__(self, line: int, problem: str, hint: str = "") -> None:
        super().__init__(problem)
        self.line, self.problem, self.hint = line, problem, hint


@dataclass(frozen=True)
class YamlDoc:
    """A parsed YAML document and the editor line where each of its nodes starts."""

    data: Any
    lines: dict[Pointer, int] = field(default_factory=dict)
    # The text of unquoted scalars not read as text (``2024``, ``true``), by path.
    plain: dict[Pointer, str] = field(default_factory=dict)

    def line_of(self, path: Sequence[str | int]) -> int:
        """Return the line of the node at ``path``, or of its nearest ancestor the file has."""
        parts = tuple(str(p) for p in path)
        while parts and parts not in self.lines:
            parts = parts[:-1]
        return self.lines.get(parts, 1)


def dotted(path: Sequence[str | int]) -> str:
    """Write a JSON path as an analyst reads it: ``memos[2].template``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load_yaml_with_lines(path: Path | str, display_path: str | None = None) -> YamlDoc:
    """Load a YAML file with the line of every node; raises yaml.YAMLError (UnsafeYaml) on error,
    OSError when it cannot be read (:class:`memo.core.files.UnsafeInput` when it is a link out of
    the project named by ``display_path``, ``data/dictionary.yaml``, or not a regular file)."""
    path = Path(path)
    text, _ = decode(read_input(path, display_path or path.name), str(path))
    return parse_yaml_with_lines(text)


def _loader(text: str, fast: bool) -> yaml.SafeLoader:
    cls = getattr(yaml, "CSafeLoader", None) if fast else None
    return (cls or yaml.SafeLoader)(text)


def parse_yaml_with_lines(text: str) -> YamlDoc:
    """Parse YAML text defensively, with the line of every node (see the module notes).

    With libyaml when present (ten times faster on an edition of hundreds of memos); on any error
    the pure-Python parser runs again, so messages stay the same. A text is parsed once per
    process (``memo derive`` reads config/memos.yaml for its schema check, its translatable
    strings and its catalogue check); each caller gets its own copy of the data.
    """
    doc = _parsed(text)
    return YamlDoc(copy.deepcopy(doc.data), dict(doc.lines), dict(doc.plain))


@lru_cache(maxsize=16)
def _parsed(text: str) -> YamlDoc:
    """The document of ``text``; only ever copied (errors are raised again, not cached)."""
    if len(text) > MAX_BYTES:
        raise UnsafeYaml(1, f"file is larger than {MAX_BYTES >> 20} MB", "split it or trim it")
    for fast in (True, False):
        try:
            _scan(_loader(text, fast))
            loader = _loader(text, fast)
            try:
                node = loader.get_single_node()
            finally:
                loader.dispose()
            break
        except UnsafeYaml:
            raise
        except yaml.reader.ReaderError as err:
            # A character YAML does not allow in a file (an ESC, a NUL): at its line, named.
            line = text.count("\n", 0, err.position) + 1
            what = control_character(chr(err.character)) or f"character U+{err.character:04X}"
            raise UnsafeYaml(
                line, f"contains {article(what)} {what}", "delete it; YAML does not allow it"
            ) from None
        except yaml.YAMLError as err:
            if "maximum nesting depth" in str(err):
                # libyaml's own limit (1000 levels), met while it scans ahead of our count.
                raise _too_deep(getattr(err, "problem_mark", None)) from None
            if not fast:
                raise
    lines: dict[Pointer, int] = {}
    plain: dict[Pointer, str] = {}
    if node is None:
        return YamlDoc(None, lines)
    _map_lines(node, (), lines, plain)
    loader = _loader("", False)
    try:
        data = loader.construct_document(node)
    finally:
        loader.dispose()
    return YamlDoc(data, lines, plain)


def _scan(loader: yaml.SafeLoader) -> None:
    """Walk the event stream: refuse anchors, aliases and nesting deeper than MAX_DEPTH."""
    depth = values = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.NodeEvent):
                values += 1
                if values > MAX_VALUES:
                    raise UnsafeYaml(
                        event.start_mark.line + 1,
                        f"holds more than {MAX_VALUES:,} values",
                        "a config never needs that many: split the file or check how it was made",
                    )
            line = event.start_mark.line + 1 if event.start_mark else 1
            if isinstance(event, yaml.AliasEvent):
                raise UnsafeYaml(
                    line,
                    f"alias '*{event.anchor}' refers to another part of the file",
                    "write the value out in full; anchors and aliases are not accepted",
                )
            if getattr(event, "anchor", None):
                raise UnsafeYaml(
                    line,
                    f"anchor '&{event.anchor}' lets other parts of the file repeat this one",
                    "write each value out in full; anchors and aliases are not accepted",
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _too_deep(event.start_mark)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        loader.dispose()


def _too_deep(mark: yaml.Mark | None) -> UnsafeYaml:
    return UnsafeYaml(
        mark.line + 1 if mark else 1,
        f"nested more than {MAX_DEPTH} levels deep",
        "a config never needs that many levels: check the brackets and indentation",
    )


def _map_lines(
    node: yaml.Node, path: Pointer, lines: dict[Pointer, int], plain: dict[Pointer, str]
) -> None:
    """Record the start line of ``node`` and of everything under it, refuse duplicate keys, and
    put keys and id values in their normal form (see the module notes)."""
    stack: list[tuple[yaml.Node, Pointer, bool]] = [(node, path, False)]
    while stack:
        node, path, text = stack.pop()
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, tuple[int, str]] = {}
            for key_node, value_node in node.value:
                typed = str(key_node.value)
                if isinstance(key_node, yaml.ScalarNode):
                    key_node.tag, key_node.value = _STR, normal(typed)
                key = str(key_node.value)
                line = key_node.start_mark.line + 1
                if key in seen:
                    first, spelt = seen[key]
                    also = f" (written '{spelt}' there)" if spelt != typed else ""
                    raise UnsafeYaml(
                        line,
                        f"duplicate key '{typed}', first on line {first}{also}",
                        "keep one: YAML would silently use the last",
                    )
                seen[key] = (line, typed)
                child = (*path, key)
                # The key's line, not the value's: for a nested block the value starts a line later.
                lines.setdefault(child, line)
                stack.append((value_node, child, key in TEXT_KEYS))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                stack.append((item, (*path, str(index)), text))
        elif isinstance(node, yaml.ScalarNode):
            _scalar(node, path, text, plain)


def _scalar(node: yaml.ScalarNode, path: Pointer, text: bool, plain: dict[Pointer, str]) -> None:
    """Read a scalar as text where YAML 1.1 alone would not (see the module notes), and put an
    id's text in its normal form; note the text of other unquoted scalars that are not text."""
    if node.tag == _TIMESTAMP or (
        node.tag == _BOOL and str(node.value).lower() in _YAML11_BOOLEANS
    ):
        node.tag = _STR
    if node.tag == _STR:
        if not text:
            node.value = normal(node.value)
    elif not node.style:  # plain (None from PyYAML's parser, "" from libyaml's)
        plain[path] = str(node.value)
