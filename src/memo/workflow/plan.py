"""What the Snakefile needs at planning time: memo ids, their definitions, and the files each
rule declares as its inputs. Nothing else: no validation (rule ``derive`` does that, before any
render), nothing written or deleted.

Kept light (no pandas, no WeasyPrint, no Jinja): Snakemake imports it on every run, even a no-op
or a dry run. Each file is read once per process (cached on its size and time). The figures a
memo's templates look up, and the template files each reaches (rule render's template inputs),
are found by :mod:`memo.workflow.lookups`, which parses them with Jinja; the digest of the data a
memo shows, which decides when its render reruns, by :mod:`memo.workflow.digest`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

TEMPLATES = "templates"
SHARED_TEMPLATE_FILES = ("base.html.j2", "memo.css", "screen.css", "print.css")
FONTS = "assets/fonts"
MEMOS = "config/memos.yaml"
DICTIONARY = "data/dictionary.yaml"
CONFIG = "config/config.yaml"
CONFIG_FILES = (CONFIG, MEMOS)
# Inputs every render reads (through rule derive's figure table, or directly).
REFERENCE_FILES = (DICTIONARY, "data/sources.csv", "data/events.csv", CONFIG, MEMOS)
# The tables of data/, each a CSV file or a spreadsheet (memo.ingest.sheets).
TABLES = ("data/indicators.csv", "data/sources.csv", "data/events.csv")


def stamp(path: Path) -> tuple:
    """A file's size and time (empty when it is not there): the key of planning's caches."""
    try:
        st = path.stat()
    except OSError:
        return ()
    return (st.st_size, st.st_mtime_ns)


def read_yaml(root: str, rel: str) -> Any:
    """A YAML file of the project, parsed once while it is unchanged (empty when broken)."""
    return _parse_yaml(str(Path(root, rel)), rel, stamp(Path(root, rel)))


@lru_cache(maxsize=16)
def _parse_yaml(path: str, rel: str, _key: tuple) -> Any:
    from memo.ingest.yamlfile import load_yaml_with_lines

    try:
        return load_yaml_with_lines(path, rel).data or {}
    except Exception:  # a broken file is reported by rule derive; plan nothing beyond it
        return {}


def _memos(root: str) -> list[dict]:
    memos = read_yaml(root, MEMOS)
    items = memos.get("memos") if isinstance(memos, dict) else None
    return [m for m in items or [] if isinstance(m, dict) and isinstance(m.get("id"), str)]


def memo_command() -> str:
    """Shell words that run the ``memo`` command line with this Python (the one running Snakemake,
    so the project's environment even when its bin/ is not on PATH)."""
    import shlex
    import sys

    return f"{shlex.quote(sys.executable)} -m memo.cli"


def output_ids(root: str = ".") -> list[str]:
    """Every memo edition the config defines (``korea-brief-en``, ``korea-brief-ko``, …)."""
    try:
        return [f"{m['id']}-{lang}" for m in _memos(root) for lang in m.get("languages", ["en"])]
    except TypeError:
        return []


def definition(root: str, output_id: str) -> tuple[dict, str]:
    """A memo edition's entry in config/memos.yaml and its language (KeyError: none such)."""
    for m in _memos(root):
        for lang in m.get("languages", ["en"]):
            if f"{m['id']}-{lang}" == output_id:
                return m, lang
    raise KeyError(output_id)


def render_priority(root: str, output_id: str) -> int:
    """The order renders start in, longest first (rule render's ``priority``): a memo's page
    budget (the most pages of ``pages: [min, max]``), so that a short memo, not a long one, is
    the last to finish on a busy machine. 0 when the entry has none."""
    try:
        pages = definition(root, output_id)[0].get("pages")
        return int(pages[-1]) if isinstance(pages, list) and pages else 0
    except (KeyError, TypeError, ValueError):
        return 0


def markdown_sections(root: str, memo: dict) -> list[str]:
    """The sections of a memo written in Markdown (``templates/<memo id>/<section>.md``)."""
    sections = memo.get("sections") or []
    folder = Path(root, TEMPLATES, str(memo.get("id")))
    return [s for s in sections if isinstance(s, str) and (folder / f"{s}.md").is_file()]


def table_file(root: str, csv_path: str) -> str:
    """The file a table of data/ is read from: its spreadsheet when there is one and no CSV file
    (both is an error rule derive reports), else the CSV file."""
    xlsx = str(Path(csv_path).with_suffix(".xlsx"))
    return xlsx if Path(root, xlsx).is_file() and not Path(root, csv_path).is_file() else csv_path


def data_files(root: str = ".") -> list[str]:
    """The files of data/ that rule derive reads and that are there: the dictionary and each
    table's file (both forms of a table when both exist, so that derive runs and reports it).

    A file that is not there (deleted, or a link to nothing) is rule derive's to report, with
    its hint. As a declared input it would not be: with the figures of an earlier build on disk,
    Snakemake takes them for a source file it cannot make and finds "nothing to be done"."""
    files = [DICTIONARY]
    for csv_path in TABLES:
        files += [csv_path, str(Path(csv_path).with_suffix(".xlsx"))]
    return _present(root, files)


def config_files(root: str = ".") -> list[str]:
    """The files of config/ that rule derive reads and that are there (a missing one is derive's
    to report, as in ``data_files``)."""
    return _present(root, CONFIG_FILES)


def checked_templates(root: str = ".") -> list[str]:
    """The templates and Markdown sections ``memo validate`` checks (rule derive's inputs, so that
    a template edit is checked before any render)."""
    folder = Path(root, TEMPLATES)
    found = [*folder.glob("*.html.j2"), *folder.glob("*/*.md")]
    return sorted(p.relative_to(root).as_posix() for p in found)


def reference_files(root: str = ".") -> list[str]:
    """The files every render reads besides the figure table, as found in ``root`` (a missing
    one is rule derive's to report, as in ``data_files``)."""
    return _present(root, [table_file(root, f) if f in TABLES else f for f in REFERENCE_FILES])


def _present(root: str, files) -> list[str]:
    """Those of ``files`` (paths within ``root``) that are there, in their order."""
    return [f for f in files if Path(root, f).is_file()]
