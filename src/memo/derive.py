"""Compute the derived comparisons and save them: load -> compute (``memo.compare``) -> save.

``derive_all`` is pure (a Dataset in, a DerivedResult out); ``save`` writes ``derived.csv`` and one
CSV per tidy table, each atomically (temporary file + ``os.replace``) and deterministically (rows
sorted, floats written as ``format(x, '.12g')``, booleans as ``true``/``false``, lists
``;``-separated, LF line ends, UTF-8 without BOM). ``load_derived`` reads ``derived.csv`` back.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import io
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from memo import compare
from memo.compare import DERIVED_PATH, Table
from memo.files import write_atomic
from memo.model import INDICATOR_COLUMNS, Dataset, Observation

DERIVED_COLUMNS = (*INDICATOR_COLUMNS, "inputs", "sources", "method")
TABLE_NAMES = ("tariff_ranking", "deficit_shares", "oil_dependence", "trade_growth")


@dataclass(frozen=True)
class DerivedResult:
    """Derived observations (sorted by key; ``line`` = line in derived.csv) and tidy tables."""

    observations: tuple[Observation, ...]
    tables: Mapping[str, Table]
    as_of: str = ""

    def find(self, indicator: str, entity: str, counterpart: str = "") -> Observation:
        """Return the one derived observation for ``indicator``/``entity``/``counterpart``."""
        rows = [
            o
            for o in self.observations
            if (o.indicator, o.entity, o.counterpart) == (indicator, entity, counterpart)
        ]
        if len(rows) != 1:
            raise LookupError(f"{len(rows)} derived {indicator} rows for {entity}/{counterpart}")
        return rows[0]


def derive_all(dataset: Dataset, as_of: str | dt.date | None = None) -> DerivedResult:
    """Compute every derived comparison from a validated dataset (``as_of`` for the tariffs).

    Raises LookupError when an input series is missing and ``compare.BoundsError`` (a ValueError)
    when qualifiers cannot be propagated.
    """
    names = {code: e.name for code, e in dataset.dictionary.entities.items()}
    obs = dataset.observations
    parts = (
        compare.compare_tariffs(obs, as_of=as_of, names=names),
        compare.compare_deficits(obs, names=names),
        compare.compare_oil(obs, names=names),
        compare.compare_trade_growth(obs, names=names),
    )
    derived = sorted((o for p in parts for o in p.observations), key=lambda o: o.key)
    keys = [o.key for o in derived]
    if len(set(keys)) != len(keys):
        raise ValueError("two derived figures share indicator, entity, counterpart and period")
    numbered = tuple(
        dataclasses.replace(o, path=DERIVED_PATH, line=i) for i, o in enumerate(derived, start=2)
    )
    tables = MappingProxyType({p.table.name: p.table for p in parts})
    return DerivedResult(numbered, tables, parts[0].table.records()[0]["as_of"])


# ---- writing --------------------------------------------------------------------------------


def cell(x: Any) -> str:
    """Format one value for CSV: '' for None, true/false, '.12g' floats, ';'-joined lists."""
    if x is None:
        return ""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, float):
        text = format(x, ".12g")
        return "0" if text == "-0" else text
    if isinstance(x, int):
        return str(x)
    if isinstance(x, tuple | list):
        return ";".join(cell(i) for i in x)
    return str(x)


def observation_row(o: Observation) -> tuple[str, ...]:
    """Return a derived observation's cells in ``DERIVED_COLUMNS`` order."""
    return tuple(cell(getattr(o, c)) for c in DERIVED_COLUMNS)


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Render a header and rows as CSV text (LF line ends, minimal quoting)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([cell(v) for v in row] for row in rows)
    return buf.getvalue()


def save(result: DerivedResult, out_dir: Path | str) -> list[Path]:
    """Write ``derived.csv`` and ``<table>.csv`` for each tidy table into ``out_dir``.

    Returns the paths written. ``derived.csv`` rows are sorted by key; table rows keep the order
    the comparison gives them (rank; share descending; inputs then derived), which is deterministic.
    """
    out = Path(out_dir)
    rows = sorted((observation_row(o) for o in result.observations), key=lambda r: r[:4])
    written = [out / "derived.csv"]
    write_atomic(written[0], csv_text(DERIVED_COLUMNS, rows))
    for name in sorted(result.tables):
        table = result.tables[name]
        path = out / f"{name}.csv"
        write_atomic(path, csv_text(table.columns, table.rows))
        written.append(path)
    return written


# ---- reading back ---------------------------------------------------------------------------


def _float(text: str) -> float | None:
    return float(text) if text.strip() else None


def load_derived(path: Path | str) -> tuple[Observation, ...]:
    """Read a ``derived.csv`` written by :func:`save` back into observations.

    ``path``/``line`` are set to ``build/derived/derived.csv`` and the editor line.
    """
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        out = []
        for line, row in enumerate(reader, start=2):
            out.append(
                Observation(
                    indicator=row["indicator"],
                    entity=row["entity"],
                    counterpart=row["counterpart"],
                    period=row["period"],
                    value=float(row["value"]),
                    low=_float(row["low"]),
                    high=_float(row["high"]),
                    qualifier=row["qualifier"],
                    unit=row["unit"],
                    source=row["source"],
                    note=row["note"],
                    path=DERIVED_PATH,
                    line=line,
                    inputs=tuple(i for i in row["inputs"].split(";") if i),
                    sources=tuple(s for s in row["sources"].split(";") if s),
                    method=row["method"],
                )
            )
    return tuple(out)


def load_table(path: Path | str) -> list[dict[str, str]]:
    """Read a tidy table CSV written by :func:`save` as a list of dicts of strings."""
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# ---- command line ---------------------------------------------------------------------------


def cli_derive(args: argparse.Namespace) -> int:
    """Run ``memo derive``: load and validate data/, derive, save into ``args.out``.

    A relative ``--out`` is taken relative to ``--root``. Problems in the data are printed to
    stderr (one per line) and give exit code 1, as does a derivation that cannot be computed.
    """
    from memo.data import load_dataset
    from memo.errors import DataError, format_problems

    root = Path(args.root)
    out = root / Path(args.out)
    try:
        dataset = load_dataset(root)
    except DataError as err:
        print(format_problems(err.problems) or str(err), file=sys.stderr)
        print(f"memo derive: {len(err.problems)} problem(s) in the data", file=sys.stderr)
        return 1
    try:
        result = derive_all(dataset)
    except (LookupError, ValueError) as err:
        print(f"memo derive: cannot derive: {err}", file=sys.stderr)
        return 1
    written = save(result, out)
    print(
        f"memo derive: {len(result.observations)} derived figures and "
        f"{len(written) - 1} tables (tariffs as of {result.as_of}) written to {out}",
        file=sys.stderr,
    )
    return 0
