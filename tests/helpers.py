"""Shared helpers for the end-to-end tests: copy the project, run snakemake and memo, read outputs.

Every end-to-end test works on a copy of the project in a temporary folder, never on the checkout,
so tests can run in parallel (pytest -n 2) beside engineers building in the checkout.
"""

from __future__ import annotations

import csv
import functools
import html
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import forkserver
import yaml

REPO = Path(__file__).resolve().parents[1]

# What a project needs to build; build/, reports/, .reports/ and .snakemake/ are left behind.
PROJECT_PARTS = ("Snakefile", "rules", "profiles", "config", "data", "templates", "assets")


def memo_definitions(root: Path = REPO) -> dict[str, dict]:
    """Each memo edition config/memos.yaml defines (``<id>-<language>``), with its definition, in
    the order of the file: the tests cover every memo the config lists, not a pinned list."""
    config = yaml.safe_load((root / "config/memos.yaml").read_text(encoding="utf-8"))
    return {f"{m['id']}-{lang}": m for m in config["memos"] for lang in m["languages"]}


def edition_config(root: Path = REPO) -> dict:
    """config/config.yaml, parsed."""
    return yaml.safe_load((root / "config/config.yaml").read_text(encoding="utf-8"))


MEMO_DEFS = memo_definitions()
MEMOS = tuple(MEMO_DEFS)
ENGLISH_MEMOS = tuple(m for m in MEMOS if m.endswith("-en"))
EDITION_DATE = str(edition_config()["edition"]["date"])


def language(memo: str) -> str:
    """The language of a memo edition (``korea-brief-ko`` -> ``ko``)."""
    return memo.rsplit("-", 1)[1]


@dataclass(frozen=True)
class Build:
    """A project copy after a snakemake run: its folder, what snakemake printed, its exit code."""

    root: Path
    log: str
    returncode: int


def copy_project(tmp_path: Path, name: str = "project") -> Path:
    """Copy the project's sources (not its build outputs) to ``tmp_path/name``; return that folder."""
    dst = tmp_path / name
    dst.mkdir(parents=True)
    for part in PROJECT_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(
                src, dst / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*.tmp")
            )
        elif src.is_file():
            shutil.copy2(src, dst / part)
    return dst


def copy_built(src: Path, dst: Path) -> Path:
    """Copy a built project (with build/, .reports/, the reports link and .snakemake/), keeping
    modification times, so that snakemake in the copy sees it as up to date."""
    shutil.copytree(src, dst, symlinks=True)
    return dst


def build_once(base: Path) -> Build:
    """Copy the project into ``base/project`` and run ``snakemake --cores 2`` there, once: later
    calls (from other test processes too) wait for the first and return its result."""
    import fcntl
    import json

    base.mkdir(parents=True, exist_ok=True)
    result_file = base / "result.json"
    with open(base / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not result_file.is_file():
                root = copy_project(base)
                result = run_snakemake(root, "--cores", "2")
                result_file.write_text(
                    json.dumps({"log": result.stdout, "returncode": result.returncode}),
                    encoding="utf-8",
                )
            done = json.loads(result_file.read_text(encoding="utf-8"))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return Build(root=base / "project", log=done["log"], returncode=done["returncode"])


def tool_env(**extra: str) -> dict[str, str]:
    """The environment for a snakemake or memo process: this Python's scripts folder first on PATH
    (the rules run ``memo``, installed beside the interpreter the tests run with, venv or not), and
    no render server inherited from a run outside the test."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.pop("MEMO_RENDER_SOCKET", None)
    env.update(extra)
    return env


def run_snakemake(
    project: Path, *args: str, timeout: float = 300, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run ``python -m snakemake ARGS`` in ``project``; output (stdout and stderr together) as
    text. The process is forked from this worker's warm Snakemake (``tests/forkserver.py``)
    unless ``env`` changes what Python reads when it starts, or another thread has a run there."""
    argv = [sys.executable, "-m", "snakemake", *args]
    return forkserver.run(argv, project, env or tool_env(), timeout, server_env=tool_env())


def run_memo(
    project: Path, *args: str, timeout: float = 300, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run ``python -m memo.cli --root PROJECT ARGS`` in a process of its own; ``stdout`` and
    ``stderr`` as text. The process is forked from this worker's warm Python
    (``tests/forkserver.py``) unless ``env`` changes what Python reads when it starts, or
    another thread has a run there."""
    argv = [sys.executable, "-m", "memo.cli", "--root", str(project), *args]
    env = env or tool_env()
    return forkserver.run(argv, project, env, timeout, server_env=tool_env(), merged=False)


def rendered_memos(snakemake_output: str) -> list[str]:
    """Memo ids of the ``render`` jobs snakemake ran (or planned), in the order it printed them."""
    found = []
    for block in re.split(r"\n(?=(?:local)?rule \w+:)", snakemake_output):
        if re.match(r"(?:local)?rule render:", block.strip()):
            m = re.search(r"wildcards: memo=([\w-]+)", block)
            if m:
                found.append(m.group(1))
    return found


def replace_in(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace ``old`` by ``new`` in a file, failing if ``old`` is not there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not found in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def set_indicator_value(
    project: Path, indicator: str, entity: str, counterpart: str, period: str, value: str
) -> int:
    """Set one row's value in data/indicators.csv (the row found by its key); return its line."""
    path = project / "data/indicators.csv"
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    header = rows[0]
    col = {name: i for i, name in enumerate(header)}
    hits = [
        i
        for i, r in enumerate(rows)
        if i
        and r[col["indicator"]] == indicator
        and r[col["entity"]] == entity
        and r[col["counterpart"]] == counterpart
        and r[col["period"]] == period
    ]
    assert len(hits) == 1, f"{indicator}/{entity}/{counterpart}/{period}: {len(hits)} rows"
    rows[hits[0]][col["value"]] = value
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return hits[0] + 1


def indicator_rows(project: Path) -> dict[int, dict[str, str]]:
    """data/indicators.csv as {editor line: row}, header = line 1."""
    with (project / "data/indicators.csv").open(encoding="utf-8", newline="") as f:
        return {i: row for i, row in enumerate(csv.DictReader(f), start=2)}


def pdf_pages_text(path: Path) -> list[str]:
    """The text of each page of a PDF, as poppler's pdftotext extracts it (each file's text is
    extracted once per test process, while it stays as it is)."""
    stat = Path(path).stat()
    return list(_pdf_pages_text(str(Path(path).resolve()), stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=64)
def _pdf_pages_text(path: str, _mtime_ns: int, _size: int) -> tuple[str, ...]:
    import subprocess

    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", path, "-"], capture_output=True, check=True, timeout=120
    ).stdout.decode("utf-8")
    return tuple(out.split("\f")[:-1])  # each page ends with a form feed


def pdf_text(path: Path) -> str:
    return "\n".join(pdf_pages_text(path))


def html_text(markup: str) -> str:
    """The visible text of an HTML memo's body, tags removed and entities decoded, spaces squeezed."""
    body = markup.split("<body", 1)[-1]
    body = re.sub(r"<(style|script)\b.*?</\1>", " ", body, flags=re.S | re.I)
    text = re.sub(r"<[^>]+>", "", body)
    return " ".join(html.unescape(text).split())


# ---- templates hold no numerals -----------------------------------------------------------------

_STYLE = re.compile(r"<style\b.*?</style>", re.S | re.I)
_COMMENT = re.compile(r"\{#.*?#\}", re.S)
_EXPR = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_TAG = re.compile(r"<[^>]*>", re.S)
# Text translated inside an expression, {{ _("...") }}: the reader sees it too.
_GETTEXT = re.compile(r"""\b_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""", re.S)


def template_numerals(source: str) -> list[str]:
    """Digits a reader would see in a template's own text (not in expressions, tags or styles).

    Figures, dates and counts must come from the data through ``fact()``/``event()``: a numeral
    typed into a template goes stale the day the data change. The template's text is what is left
    once <style> elements, Jinja comments, expressions and statements, and tags are taken out, plus
    the messages translated inside expressions (``{{ _("...") }}``). Returns each offending line,
    stripped, so that a failure shows where the numeral is.
    """
    text = _COMMENT.sub(" ", _STYLE.sub(" ", source))
    messages = [a or b for expr in _EXPR.findall(text) for a, b in _GETTEXT.findall(expr)]
    text = _TAG.sub(" ", _EXPR.sub(" ", text))
    lines = [*html.unescape(text).splitlines(), *messages]
    return [line.strip() for line in lines if re.search(r"\d", line)]


# ---- what a published edition holds ------------------------------------------------------------


def sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def reports_snapshot(project: Path) -> dict:
    """Where ``reports`` points and the sha256 of every file of the edition it points to."""
    link = project / "reports"
    edition = link.resolve()
    return {
        "link": os.readlink(link),
        "files": {
            p.relative_to(edition).as_posix(): sha256(p)
            for p in sorted(edition.rglob("*"))
            if p.is_file()
        },
    }


def folder_state(folder: Path) -> dict[str, tuple[int, int]]:
    """Name -> (size, mtime_ns) of every file in a folder: any rewrite shows."""
    return {
        p.name: (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def assert_whole_edition(project: Path) -> dict:
    """``reports`` points at one complete edition: the manifest lists exactly the files there, each
    with its sha256; every link of the index resolves; every PDF opens with the page count the
    manifest gives. Returns the manifest."""
    import json

    import pikepdf

    link = project / "reports"
    assert link.is_symlink(), "reports is not a link"
    edition = link.resolve()
    assert edition.parent == (project / ".reports").resolve(), edition
    assert edition.is_dir() and not edition.name.startswith("."), edition
    manifest = json.loads((edition / "manifest.json").read_text(encoding="utf-8"))
    present = {p.name for p in edition.iterdir()}
    assert present == {*manifest["files"], "manifest.json"}, present ^ {*manifest["files"]}
    for name, digest in manifest["files"].items():
        assert sha256(edition / name) == digest, f"{name} disagrees with the manifest"
    index = (edition / "index.html").read_text(encoding="utf-8")
    links = set(re.findall(r'href="([^"#:]+)"', index))
    assert links, "the index links to nothing"
    for target in links:
        assert (edition / target).is_file(), f"index links to missing {target}"
    for memo in manifest["memos"]:
        for key in ("html", "pdf"):
            assert memo[key] in manifest["files"], memo[key]
        with pikepdf.open(edition / memo["pdf"]) as pdf:
            assert len(pdf.pages) == memo["pages"], memo["pdf"]
    return manifest


def figure_record(folder: Path, memo: str) -> dict:
    """A memo's figure record (``<memo>.figures.json``) in ``folder``."""
    import json

    return json.loads((folder / f"{memo}.figures.json").read_text(encoding="utf-8"))


def rows_shown(folder: Path, memo: str) -> set[str]:
    """The data/indicators.csv rows a memo's figures come from: shown, or inputs of a derived one."""
    figures = figure_record(folder, memo)["figures"]
    return {f["row"] for f in figures} | {i for f in figures for i in f["inputs"]}


# ---- where the PDF draws its text ----------------------------------------------------------------


@dataclass(frozen=True)
class TextRun:
    """One string a PDF page draws: its text, where its baseline starts (PDF points from the page's
    bottom left), the size it is drawn at (points, every transformation applied), and whether it is
    part of a figure (a chart, tagged /Figure in the structure tree)."""

    text: str
    x: float
    y: float
    size: float
    figure: bool


def to_unicode(font, errors: str = "replace") -> dict[int, str]:
    """A font's ToUnicode CMap: character code -> text (``errors="strict"``: a code that is not
    UTF-16 raises, for tests that the text extracts exactly)."""
    if "/ToUnicode" not in font:
        return {}
    data = font.ToUnicode.read_bytes().decode("latin-1")

    def text(hexstr: str) -> str:
        return bytes.fromhex(hexstr).decode("utf-16-be", errors=errors)

    codes: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block):
            codes[int(src, 16)] = text(dst)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(
            r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(<[0-9a-fA-F]*>|\[[^\]]*\])", block
        ):
            lo_i, hi_i = int(lo, 16), int(hi, 16)
            if dst.startswith("["):
                for i, d in enumerate(re.findall(r"<([0-9a-fA-F]*)>", dst)):
                    codes[lo_i + i] = text(d)
            else:
                start = bytes.fromhex(dst[1:-1])
                base = int.from_bytes(start, "big")
                for i in range(hi_i - lo_i + 1):
                    codes[lo_i + i] = (
                        (base + i).to_bytes(len(start), "big").decode("utf-16-be", errors=errors)
                    )
    return codes


def _figure_mcids(pdf) -> set[tuple[tuple[int, int], int]]:
    """(page, marked-content id) of every /Figure element of the structure tree."""
    found: set[tuple[tuple[int, int], int]] = set()
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return found
    todo = [(root, None)]
    while todo:
        node, page = todo.pop()
        if isinstance(node, int):
            continue
        if node._type_name == "array":
            todo += [(child, page) for child in node]
            continue
        if node._type_name != "dictionary":
            continue
        page = node.Pg.objgen if "/Pg" in node else page
        kids = node.get("/K")
        kids = [] if kids is None else [kids] if isinstance(kids, int) else kids
        if kids is not None and not isinstance(kids, list) and kids._type_name != "array":
            kids = [kids]
        if str(node.get("/S", "")) == "/Figure":
            for kid in kids:
                if isinstance(kid, int) and page is not None:
                    found.add((page, kid))
        todo += [(kid, page) for kid in kids]
    return found


def _times(m: list[float], n: list[float]) -> list[float]:
    """The PDF matrix product m × n ([a b c d e f] row-vector matrices)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return [
        a * A + b * C,
        a * B + b * D,
        c * A + d * C,
        c * B + d * D,
        e * A + f * C + E,
        e * B + f * D + F,
    ]


def pdf_runs(path: Path) -> list[list[TextRun]]:
    """Every string each page of a PDF draws (its content stream and the forms it uses), with its
    position and drawn size: what pdftotext -bbox would give, with exact sizes."""
    import pikepdf

    pages: list[list[TextRun]] = []
    with pikepdf.open(path) as pdf:
        figures = _figure_mcids(pdf)
        cmaps: dict = {}
        for page in pdf.pages:
            runs: list[TextRun] = []
            _walk(
                page.obj, page.Resources, [1, 0, 0, 1, 0, 0], page.obj.objgen, figures, cmaps, runs
            )
            pages.append(runs)
    return pages


def _walk(owner, resources, ctm, page_id, figures, cmaps, runs, marked=None) -> None:
    import pikepdf

    marked = list(marked or [])  # the marked-content ids open around the current operator
    stack: list = []
    font, size, leading = None, 0.0, 0.0
    tm = lm = [1.0, 0, 0, 1.0, 0, 0]
    for operands, operator in pikepdf.parse_content_stream(owner):
        op = str(operator)
        if op == "q":
            stack.append((ctm, font, size, leading))
        elif op == "Q" and stack:
            ctm, font, size, leading = stack.pop()
        elif op == "cm":
            ctm = _times([float(v) for v in operands], ctm)
        elif op == "BDC":
            props = operands[1]
            mcid = props.get("/MCID") if props._type_name == "dictionary" else None
            marked.append(int(mcid) if mcid is not None else None)
        elif op == "BMC":
            marked.append(None)
        elif op == "EMC" and marked:
            marked.pop()
        elif op == "BT":
            tm = lm = [1.0, 0, 0, 1.0, 0, 0]
        elif op == "Tf":
            font, size = resources.Font[operands[0]], float(operands[1])
        elif op == "TL":
            leading = float(operands[0])
        elif op == "Tm":
            tm = lm = [float(v) for v in operands]
        elif op in ("Td", "TD"):
            tx, ty = float(operands[0]), float(operands[1])
            if op == "TD":
                leading = -ty
            tm = lm = _times([1, 0, 0, 1, tx, ty], lm)
        elif op in ("T*", "'", '"'):
            tm = lm = _times([1, 0, 0, 1, 0, -leading], lm)
        elif op == "Do":
            xobj = resources.XObject[operands[0]]
            if xobj.Subtype == "/Form":
                matrix = [float(v) for v in xobj.get("/Matrix", [1, 0, 0, 1, 0, 0])]
                _walk(
                    xobj,
                    xobj.get("/Resources", resources),
                    _times(matrix, ctm),
                    page_id,
                    figures,
                    cmaps,
                    runs,
                    marked,
                )
        if op in ("Tj", "TJ", "'", '"') and font is not None:
            items = operands[0] if op == "TJ" else [operands[-1]]
            key = font.objgen
            if key not in cmaps:
                cmaps[key] = to_unicode(font)
            width = 2 if font.Subtype == "/Type0" else 1
            text = ""
            for item in items:
                if isinstance(item, pikepdf.String):
                    raw = bytes(item)
                    for i in range(0, len(raw), width):
                        text += cmaps[key].get(int.from_bytes(raw[i : i + width], "big"), "")
            m = _times(tm, ctm)
            in_figure = any((page_id, mc) in figures for mc in marked if mc is not None)
            runs.append(TextRun(text, m[4], m[5], size * (m[2] ** 2 + m[3] ** 2) ** 0.5, in_figure))


@dataclass(frozen=True)
class Word:
    """A word as poppler's pdftotext finds it on a page: its text and its box, in points from the
    page's top left. Two glyphs without a visible gap between them are one word."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float


def pdf_words(path: Path) -> list[list[Word]]:
    """Every word of each page of a PDF, with its box (``pdftotext -bbox``)."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = []
    for page in re.findall(r"<page\b.*?</page>", out, re.S):
        pages.append(
            [
                Word(html.unescape(text), float(x0), float(y0), float(x1), float(y1))
                for x0, y0, x1, y1, text in re.findall(
                    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
                    page,
                )
            ]
        )
    return pages


def pdf_lines(path: Path) -> list[list[tuple[float, str]]]:
    """Each page's lines from top to bottom, as (bottom of the line, its words left to right): the
    order in which a reader meets what the page prints, side by side columns line by line. Words
    whose bottoms are within 2.5 pt of each other share a line (a note call is set smaller)."""
    out = []
    for words in pdf_words(path):
        rows: list[list[Word]] = []
        for w in sorted(words, key=lambda w: w.bottom):
            if rows and w.bottom - rows[-1][0].bottom <= 2.5:
                rows[-1].append(w)
            else:
                rows.append([w])
        out.append(
            [
                (
                    max(w.bottom for w in row),
                    " ".join(w.text for w in sorted(row, key=lambda w: w.x0)),
                )
                for row in rows
            ]
        )
    return out


def _table(path: Path) -> dict[int, dict[str, str]]:
    """A table's rows by the line each starts at, as an editor numbers them (a quoted cell may run
    over lines; blank lines count), or by a spreadsheet's row number."""
    if path.suffix == ".xlsx":
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        cells = [
            ["" if v is None else str(v) for v in r]
            for r in book.worksheets[0].iter_rows(values_only=True)
        ]
        book.close()
        return {
            n: dict(zip(cells[0], row, strict=False)) for n, row in enumerate(cells, 1) if n > 1
        }
    rows = {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        while True:
            start = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return rows
            if cells:
                rows[start] = dict(zip(header, cells, strict=False))


def assert_rows_resolve(project: Path, memo: str, folder: str = "build/memos") -> None:
    """Every figure of a memo's record (in ``folder``) names the line holding that figure: a row
    of data/indicators.csv (or .xlsx), or a derived figure's row of build/derived/figures.csv."""
    import json

    tables: dict[str, dict[int, dict[str, str]]] = {}
    record = json.loads((project / folder / f"{memo}.figures.json").read_text("utf-8"))
    for f in record["figures"]:
        path, line = f["row"].rsplit(":", 1)
        if path not in tables:
            tables[path] = _table(project / path)
        row = tables[path].get(int(line))
        assert row is not None, f"{memo}: {f['row']} is not a row"
        key = ("indicator", "entity", "counterpart", "period")
        assert [row[k] for k in key] == [f[k] for k in key], f"{memo}: {f['row']} is {row}"
