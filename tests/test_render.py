"""``memo render``: the same bytes every run, references outside the project blocked, WeasyPrint
warnings and missing figures stop the build with a message an analyst can act on; the figure record.
"""

from __future__ import annotations

import html as htmllib
import json
import os
import re
import subprocess
import sys

import pytest
import yaml
from helpers import (
    MEMOS,
    copy_project,
    indicator_rows,
    rendered_memos,
    replace_in,
    run_memo,
    run_snakemake,
)

# ---- same inputs, same bytes ----------------------------------------------------------------------


def test_two_render_processes_write_byte_identical_pdfs(built_project, tmp_path):
    """Two separate processes (own hash seeds, own font caches) render the same memo alike.

    The Korean edition is the one most exposed to font subsetting differences; the bytes are
    compared, not the text, so a timestamp or a random font prefix fails the test.
    """
    root = built_project.root
    outs = [tmp_path / "a", tmp_path / "b"]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "memo.cli",
                "--root",
                str(root),
                "render",
                "korea-brief-ko",
                "--out",
                str(out),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        )
        for seed, out in zip((1, 2), outs, strict=True)
    ]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    a, b = (out / "korea-brief-ko.pdf" for out in outs)
    assert a.read_bytes() == b.read_bytes(), "two runs gave different PDF bytes"
    # And the same bytes as the published edition, built by snakemake in yet another process.
    assert a.read_bytes() == (root / "reports/korea-brief-ko.pdf").read_bytes()
    for ext in ("html", "figures.json"):
        assert (outs[0] / f"korea-brief-ko.{ext}").read_bytes() == (
            outs[1] / f"korea-brief-ko.{ext}"
        ).read_bytes()


# ---- the restricted URL fetcher -----------------------------------------------------------------

BLOCKED = {
    # A file outside the project, by an image in a memo's own template.
    "img-file": (
        "templates/key_figures.html.j2",
        '<h2 id="bl-h">',
        '<img src="file:///etc/hostname" alt=""><h2 id="bl-h">',
        "file:///etc/hostname",
    ),
    # A stylesheet on the network, in the shared base template.
    "link-http": (
        "templates/base.html.j2",
        '<meta charset="utf-8">',
        '<meta charset="utf-8">\n<link rel="stylesheet" href="http://127.0.0.1:9/x.css">',
        "http://127.0.0.1:9/x.css",
    ),
    # A CSS url() in the memo stylesheet (inlined into every memo).
    "css-url": (
        "templates/memo.css",
        "* { box-sizing: border-box; }",
        "* { box-sizing: border-box; }\n.masthead { background-image: url(file:///etc/hostname); }",
        "file:///etc/hostname",
    ),
}


@pytest.mark.parametrize("case", list(BLOCKED))
def test_reference_outside_the_project_fails_the_render(tmp_path, case):
    path, old, new, url = BLOCKED[case]
    project = copy_project(tmp_path)
    replace_in(project / path, old, new)
    out = tmp_path / "out"
    result = run_memo(project, "render", "key-figures-en", "--out", str(out))
    assert result.returncode != 0, "a blocked reference must fail the render"
    assert url in result.stderr, result.stderr
    assert "blocked" in result.stderr.lower(), result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert not (out / "key-figures-en.pdf").exists(), "no PDF may be written"


WARNINGS = {
    "print-unknown-property": ("templates/print.css", "\nbody { foo: bar; }\n", "foo"),
    "print-invalid-value": ("templates/print.css", "\nh1 { color: nonsense; }\n", "nonsense"),
    "memo-unknown-property": ("templates/memo.css", "\np { foo: bar; }\n", "foo"),
}


@pytest.mark.parametrize("case", list(WARNINGS))
def test_css_weasyprint_ignores_fails_the_render(tmp_path, case):
    path, extra, word = WARNINGS[case]
    project = copy_project(tmp_path)
    with (project / path).open("a", encoding="utf-8") as f:
        f.write(extra)
    out = tmp_path / "out"
    result = run_memo(project, "render", "key-figures-en", "--out", str(out))
    assert result.returncode != 0, f"WeasyPrint ignored {extra.strip()!r} and the render passed"
    assert word in result.stderr, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert not (out / "key-figures-en.pdf").exists()


# ---- through the build: the render job fails, nothing is published ------------------------------

BROKEN = {
    # A figure the data do not hold: the error names the memo, the template and the indicator.
    "missing-figure": (
        "templates/key_figures.html.j2",
        "{% endtrans %}</p>",
        '{% endtrans %} {{ fact("no_such_indicator", "IND") }}</p>',
        ["key-figures-en", "templates/key_figures.html.j2", "no_such_indicator"],
    ),
    "blocked-reference": (
        "templates/key_figures.html.j2",
        '<h2 id="bl-h">',
        '<img src="file:///etc/hostname" alt=""><h2 id="bl-h">',
        ["file:///etc/hostname"],
    ),
    "css-warning": (
        "templates/print.css",
        "@page {",
        "h1 { foo: bar; }\n@page {",
        ["foo: bar", "print.css"],
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_memo_stops_the_build_with_a_message_naming_the_cause(tmp_path, case):
    path, old, new, expected = BROKEN[case]
    project = copy_project(tmp_path)
    replace_in(project / path, old, new)
    result = run_snakemake(project, "--cores", "2", "build/memos/key-figures-en.pdf")
    assert result.returncode != 0, result.stdout[-3000:]
    assert rendered_memos(result.stdout) == ["key-figures-en"]
    # One line of the job's error says it all: an analyst need not read a traceback.
    errors = [line for line in result.stdout.splitlines() if line.startswith("error:")]
    assert any(all(e in line for e in expected) for line in errors), (
        f"no error line naming {expected}: {errors or result.stdout[-3000:]}"
    )
    assert not (project / "build/memos/key-figures-en.pdf").exists()
    assert not (project / "reports").exists()


# ---- the figure record ----------------------------------------------------------------------------


@pytest.mark.parametrize("memo", MEMOS)
def test_figure_record_lists_every_printed_figure_with_row_and_source(reports, built_project, memo):
    root = built_project.root
    record = json.loads((reports / f"{memo}.figures.json").read_text(encoding="utf-8"))
    markup = (reports / f"{memo}.html").read_text(encoding="utf-8")
    rows = indicator_rows(root)
    with (root / "build/derived/derived.csv").open(encoding="utf-8") as f:
        derived_lines = f.read().splitlines()
    dictionary = yaml.safe_load((root / "data/dictionary.yaml").read_text(encoding="utf-8"))
    sources = {
        line.split(",", 1)[0] for line in (root / "data/sources.csv").read_text().splitlines()[1:]
    }

    assert record["memo"] == memo
    assert record["figures"], "no figure recorded"
    for fig in record["figures"]:
        where = f"{memo}: {fig['indicator']} {fig['entity']}/{fig['counterpart']} {fig['period']}"
        assert fig["text"], where
        assert fig["sources"] and set(fig["sources"]) <= sources, where
        path, line = fig["row"].rsplit(":", 1)
        if fig["method"]:
            # A derived figure: its row in build/derived/derived.csv, its inputs in indicators.csv,
            # and those inputs are of the indicators the dictionary says it is computed from.
            assert path == "build/derived/derived.csv", where
            cells = derived_lines[int(line) - 1].split(",")
            assert cells[:4] == [fig["indicator"], fig["entity"], fig["counterpart"], fig["period"]]
            allowed = set(dictionary["indicators"][fig["indicator"]].get("inputs") or [])
            assert fig["inputs"], where
            for ref in fig["inputs"]:
                p, n = ref.rsplit(":", 1)
                assert p == "data/indicators.csv", where
                assert rows[int(n)]["indicator"] in allowed, f"{where}: input {ref}"
        else:
            # A figure from the data: the row it cites holds this very figure and source.
            assert path == "data/indicators.csv", where
            row = rows[int(line)]
            assert (row["indicator"], row["entity"], row["counterpart"], row["period"]) == (
                fig["indicator"],
                fig["entity"],
                fig["counterpart"],
                fig["period"],
            ), where
            assert float(row["value"]) == fig["value"], where
            assert [row["source"]] == fig["sources"], where
        # What the record says was printed is in the memo (the HTML escapes & and quotes).
        assert htmllib.escape(fig["text"], quote=False) in markup, f"{where}: {fig['text']!r}"
    # Conversely, every figure printed in the prose and tables is in the record.
    printed = {htmllib.unescape(t) for t in re.findall(r'<span class="fig">(.*?)</span>', markup)}
    assert printed <= {f["text"] for f in record["figures"]}
    # Notes: numbered 1..n in order, each a source or a derivation.
    numbers = [n["number"] for n in record["notes"]]
    assert numbers == list(range(1, len(numbers) + 1))
    for n in record["notes"]:
        assert bool(n["source"]) != bool(n["derived"])
    assert {f["note"] for f in record["figures"]} <= set(numbers)
