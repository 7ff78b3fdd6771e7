"""Generate a stress edition: a temporary copy of the project whose config/memos.yaml defines many memos.

The copy holds what a build reads (Snakefile, rules/, profiles/, config/, data/, templates/, assets/);
nothing generated here is ever written into the repository.

The edition cycles through three kinds of memo, all built from the existing templates:

- a variant of the Korea strategy brief (``korea_brief.html.j2``; English and Korean alternate),
- a variant of the US brief (``us_brief.html.j2``), for one of the three audiences in turn,
- a per-country tariff note (``key_figures.html.j2``) for each country of the US tariff table in
  data/indicators.csv, with its tariff rate, its rank and its gap to India.

One more memo, ``china-trade-note-en``, is the only one to show ``untapped_export_potential_usd_bn``
(no template names that indicator): the benchmark edits that figure to measure a one-change rebuild.
Every memo definition has one language, so N definitions give N memos.

    python bench/stress.py 200 /tmp/stress       # write a project copy with 200 memos
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
PROJECT_PARTS = ("Snakefile", "rules", "profiles", "config", "data", "templates", "assets")

# The figure only the generated china-trade note shows, and where it is (indicator, entity, counterpart).
ONE_CHANGE_STRESS = ("untapped_export_potential_usd_bn", "IND", "CHN")
# In the default edition, uav_order_count is shown by us-brief-en alone (us_brief.html.j2 names it).
ONE_CHANGE_DEFAULT = ("uav_order_count", "IND", "USA")
ONE_CHANGE_MEMO = {"stress": "china-trade-note-en", "default": "us-brief-en"}


class _NoAliases(yaml.SafeDumper):
    """Write repeated values out in full: memo validate refuses YAML anchors and aliases."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def copy_project(dest: Path, src: Path = REPO) -> Path:
    """Copy what a build reads into ``dest`` (created); no build folder, no reports, no git."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        path = src / part
        if path.is_dir():
            shutil.copytree(
                path, dest / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
        elif path.is_file():
            shutil.copy2(path, dest / part)
    return dest


def tariff_countries(root: Path) -> list[str]:
    """Entities of the US tariff table (us_tariff_rate_pct rows), India first, in file order."""
    with open(root / "data/indicators.csv", encoding="utf-8-sig", newline="") as f:
        seen: list[str] = []
        for row in csv.DictReader(f):
            if row["indicator"] == "us_tariff_rate_pct" and row["entity"] not in seen:
                seen.append(row["entity"])
    return sorted(seen, key=lambda c: (c != "IND", seen.index(c)))


def stress_memos(n: int, base: dict, countries: list[str]) -> dict:
    """A memos.yaml document with ``n`` memo definitions (``n`` >= 1), derived from ``base``."""
    by_id = {m["id"]: m for m in base["memos"]}
    korea, us, senior = by_id["korea-brief"], by_id["us-brief"], by_id["key-figures"]
    audiences = list(base["audiences"])
    memos: list[dict] = [
        {
            "id": "china-trade-note",
            "audience": "rok_officials",
            "topic": korea.get("topic"),
            "title": "India–China trade: the untapped export potential",
            "template": "key_figures.html.j2",
            "languages": ["en"],
            "sections": ["bottom_line", "key_figures"],
            "key_figures": [
                {
                    "indicator": ONE_CHANGE_STRESS[0],
                    "entity": ONE_CHANGE_STRESS[1],
                    "counterpart": ONE_CHANGE_STRESS[2],
                }
            ],
            "charts": [],
            "pages": [1, 2],
        }
    ]
    i = 0
    while len(memos) < n:
        kind, round_ = i % 3, i // 3
        audience = audiences[round_ % len(audiences)]
        if kind == 0:
            lang = "ko" if round_ % 2 == 0 else "en"
            m = dict(korea, id=f"korea-brief-v{round_:03d}", languages=[lang], audience=audience)
            m["key_figures"] = korea["key_figures"][: 3 + round_ % 4]
            m["pages"] = [1, 9]
        elif kind == 1:
            m = dict(us, id=f"us-brief-v{round_:03d}", languages=["en"], audience=audience)
            m["sections"] = [s for s in us["sections"] if s != "charts" or round_ % 2 == 0]
            m["pages"] = [1, 6]
        else:
            country = countries[round_ % len(countries)]
            kf = [
                {"indicator": "us_tariff_rate_pct", "entity": country},
                {"indicator": "us_tariff_rank", "entity": country, "period": "2025-08-06"},
            ]
            if country != "IND":
                kf.append(
                    {"indicator": "us_tariff_gap_pp", "entity": "IND", "counterpart": country}
                )
            m = dict(
                senior,
                id=f"tariff-note-{country.lower()}-v{round_:03d}",
                languages=["en"],
                audience=audience,
                title=f"US tariffs: {country} in the tariff table",
                key_figures=kf,
                pages=[1, 3],
            )
        memos.append(m)
        i += 1
    doc = {k: v for k, v in base.items() if k != "memos"}
    if doc.get("topics") is None:
        memos[0].pop("topic", None)
    return doc | {"memos": memos[:n]}


def make_stress_project(dest: Path, n: int, src: Path = REPO) -> Path:
    """Copy the project to ``dest`` and replace its memo definitions by ``n`` generated ones."""
    copy_project(dest, src)
    base = yaml.safe_load((src / "config/memos.yaml").read_text(encoding="utf-8"))
    doc = stress_memos(n, base, tariff_countries(src))
    header = (
        f"# Stress edition generated by bench/stress.py: {n} memo definitions. Not committed.\n"
    )
    (dest / "config/memos.yaml").write_text(
        header + yaml.dump(doc, Dumper=_NoAliases, allow_unicode=True, sort_keys=False, width=120),
        encoding="utf-8",
    )
    return dest


def change_figure(root: Path, indicator: str, entity: str, counterpart: str) -> tuple[str, str]:
    """Add 1 to the value of one observation in data/indicators.csv; return (old, new) values."""
    path = root / "data/indicators.csv"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    for n, line in enumerate(lines):
        row = next(csv.reader([line]))
        if row[:3] == [indicator, entity, counterpart] and not row[5]:
            old = row[4]
            new = str(int(float(old)) + 1) if float(old).is_integer() else f"{float(old) + 1:g}"
            prefix = ",".join(row[:4]) + ","
            assert line.startswith(prefix + old + ","), line
            lines[n] = prefix + new + line[len(prefix) + len(old) :]
            path.write_text("".join(lines), encoding="utf-8")
            return old, new
    raise LookupError(f"no observation {indicator} {entity} {counterpart} in {path}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("memos", type=int, help="number of memo definitions")
    p.add_argument("dest", type=Path, help="folder for the project copy (created)")
    args = p.parse_args(argv)
    make_stress_project(args.dest, args.memos)
    print(f"{args.memos} memos in {args.dest}/config/memos.yaml", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
