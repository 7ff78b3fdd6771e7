"""Hostile content: data, notes, source titles, config and recipient names written to attack.

A copy of the project gets markup, event handlers, ``javascript:`` links, Jinja syntax, CSS that
tries to leave its string or its <style>, ``url()``, ``@import``, ``file://``, ``data:`` and
``http://`` references (to a server on 127.0.0.1 that counts requests), ``<link rel=attachment>``,
line breaks meant to add e-mail headers, invisible characters and very long strings. None may run
script in the HTML, read a file outside the project, make a request, change an e-mail's headers,
or crash the build without a clear error.
"""

from __future__ import annotations

import csv
import email
import fcntl
import http.server
import io
import json
import re
import shutil
import threading
from dataclasses import dataclass
from email import policy
from pathlib import Path

import html5lib
import pikepdf
import pytest
import tinycss2
import yaml
from a11y import browser as chromium
from helpers import (
    EDITION_DATE,
    MEMO_DEFS,
    MEMOS,
    REPO,
    copy_built,
    copy_project,
    html_text,
    language,
    pdf_text,
    replace_in,
    run_memo,
    run_snakemake,
)

pytestmark = pytest.mark.e2e

# ---- a server that must never be asked anything ------------------------------------------------


class Listener:
    """An HTTP server on 127.0.0.1 (a free port) that records every request it receives."""

    def __init__(self) -> None:
        hits = self.hits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
                self.end_headers()
                self.wfile.write(b"body { display: none }")

            do_POST = do_HEAD = do_GET  # noqa: N815

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        # Polled every 0.05 s for shutdown() (the default 0.5 s was waited out by every test).
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> Listener:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener():
    with Listener() as server:
        yield server


# ---- the hostile strings -----------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
JINJA = "{{ 7*191 }}"  # 1337 if evaluated
JINJA_BLOCK = "{% if 1 %}IFX{% endif %}"
CSS_BREAKOUT = '"; } body { display:none } /*'
STYLE_BREAKOUT = "</style><script>alert(4)</script>"
INVISIBLE_OK = "zw\u200bj\u200dn\u200c"  # zero-width characters: allowed in free text, kept


def payload(url: str) -> str:
    """One string holding every attack, with ``url`` the address of the listening server."""
    return " ".join(
        [
            SCRIPT,
            '<img src=x onerror="alert(2)">',
            '<a href="javascript:alert(3)">j</a>',
            "<svg onload=alert(7)><!--",
            JINJA,
            JINJA_BLOCK,
            "{{ self.__init__.__globals__ }} {# comment #}",
            CSS_BREAKOUT,
            STYLE_BREAKOUT,
            f"url({url}/css-url) @import '{url}/css-import';",
            f'<link rel=stylesheet href="{url}/link"> <link rel=attachment href="file:///etc/passwd">',
            "file:///etc/passwd data:text/html,<script>alert(5)</script>",
            '\\"; } x',
            INVISIBLE_OK,
        ]
    )


# Line breaks typed in, and the same hidden in an RFC 2047 encoded word, which mail programs and
# Python's own header parser decode.
ENCODED_WORD = "=?utf-8?q?=0D=0AReply-To=3A_spy=40evil.example?="
INJECTED_HEADER = f"\r\nBcc: spy@evil.example\r\nX-Injected: yes {ENCODED_WORD}"

# Recipient names that pass the recipients check yet try to change the To: line or the headers.
HOSTILE_RECIPIENTS = [
    ("Mallory <mallory@evil.example>, Eve <eve@evil.example>", "r1@example.org"),
    ("=?utf-8?q?X=0D=0ABcc=3A_spy=40evil.example?=", "r2@example.org"),
    ('"; Bcc: spy@evil.example; "', "r3@example.org"),
    (f"{SCRIPT} {JINJA} \\ <b>bold</b>", "r4@example.org"),
    ("김민준 " + "long name " * 40, "r5@example.org"),
]


def _edit_csv(path: Path, change) -> None:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    fields = list(rows[0])
    for row in rows:
        change(row)
    out = io.StringIO()
    writer = csv.DictWriter(out, fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def make_hostile(root: Path, url: str) -> None:
    """Write the attack into every reader-visible text of the project at ``root``."""
    h = payload(url)

    def source(row):
        row.update(title=f"T {h}", author=f"A {h}", publisher=f"P {h}", note=h)
        if row["id"] == "fn01":
            # A valid web address that still tries to leave its attribute; a link, never fetched.
            row["url"] = f'{url}/source?q="><script>alert(6)</script>'

    _edit_csv(root / "data/sources.csv", source)
    _edit_csv(root / "data/events.csv", lambda row: row.update(title=f"E {h}", note=h))
    _edit_csv(root / "data/indicators.csv", lambda row: row.update(note=h))

    dictionary = yaml.safe_load((root / "data/dictionary.yaml").read_text(encoding="utf-8"))
    for code in ("IND", "BRA"):
        dictionary["entities"][code]["name"] += f" {h}"
    for ind in dictionary["indicators"].values():
        ind["label"] = f"Label {h}"
        if ind.get("derivation"):
            ind["derivation"] = f"D {h}"
    _write_yaml(root / "data/dictionary.yaml", dictionary)

    memos = yaml.safe_load((root / "config/memos.yaml").read_text(encoding="utf-8"))
    for audience in memos["audiences"].values():
        audience["label"] = f"L {h}"
    for m in memos["memos"]:
        m["title"] = f"Title {h}{INJECTED_HEADER}"
        for key in ("subtitle", "description", "marking", "author"):
            m[key] = f"{key} {h}"
        m["keywords"] = [f"K {h}"]
        for kf in m["key_figures"]:
            kf["label"] = f"KF {h}"
    _write_yaml(root / "config/memos.yaml", memos)

    config = yaml.safe_load((root / "config/config.yaml").read_text(encoding="utf-8"))
    config["marking"] = f"M {h}"
    config["edition"]["publisher"] = f"Pub {h}"
    # No catalogue translates these texts: the Korean edition shows them in English under a
    # "translation pending" notice (by default it would stop, as tests/e2e/test_reading.py checks).
    config["translations"] = {"pending": "mark"}
    _write_yaml(root / "config/config.yaml", config)

    with (root / "config/recipients.csv").open("a", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        for name, address in HOSTILE_RECIPIENTS:
            writer.writerow([name, address, f"Org {h}", ";".join(audiences(root)), "en"])


def audiences(root: Path) -> list[str]:
    """The audience ids config/memos.yaml defines."""
    return list(yaml.safe_load((root / "config/memos.yaml").read_text("utf-8"))["audiences"])


def _write_yaml(path: Path, data) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


# ---- one hostile build per test run ------------------------------------------------------------


@dataclass(frozen=True)
class HostileBuild:
    root: Path
    log: str
    returncode: int
    send: dict
    hits: list[str]
    payload: str

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    def title(self, memo: str) -> str:
        return self.meta(memo)["title"]

    def meta(self, memo: str) -> dict:
        return json.loads((self.root / f"build/memos/{memo}.meta.json").read_text("utf-8"))


@pytest.fixture(scope="session")
def hostile(tmp_path_factory, request) -> HostileBuild:
    """The project with every text made hostile, built by ``snakemake --cores 2``, then sent (dry
    run) to the recipients; the listening server runs throughout and records any request.

    Under pytest-xdist the workers share one build (the first builds under a lock)."""
    if hasattr(request.config, "workerinput"):
        base = tmp_path_factory.getbasetemp().parent / "memo-hostile"
    else:
        base = tmp_path_factory.mktemp("memo-hostile")
    base.mkdir(parents=True, exist_ok=True)
    result = base / "result.json"
    with open(base / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not result.is_file():
                with Listener() as server:
                    root = copy_project(base)
                    make_hostile(root, server.url)
                    build = run_snakemake(root, "--cores", "2")
                    send = run_memo(root, "send") if build.returncode == 0 else None
                    done = {
                        "log": build.stdout,
                        "returncode": build.returncode,
                        "send": {"rc": send.returncode, "out": send.stdout, "err": send.stderr}
                        if send
                        else {},
                        "hits": list(server.hits),
                        "payload": payload(server.url),
                    }
                result.write_text(json.dumps(done), encoding="utf-8")
            done = json.loads(result.read_text(encoding="utf-8"))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return HostileBuild(
        base / "project",
        done["log"],
        done["returncode"],
        done["send"],
        done["hits"],
        done["payload"],
    )


@pytest.fixture(scope="session")
def built(hostile) -> HostileBuild:
    assert hostile.returncode == 0, hostile.log[-4000:]
    assert "Traceback" not in hostile.log
    return hostile


def parse(path: Path):
    return html5lib.parse(path.read_text("utf-8"), treebuilder="etree", namespaceHTMLElements=False)


PAGES = [*(f"{m}.html" for m in MEMOS), "index.html"]


def test_hostile_project_builds_and_nothing_was_requested(built):
    assert built.hits == [], f"the build or the send made requests: {built.hits}"
    for memo in MEMOS:
        for ext in ("html", "pdf", "figures.json"):
            assert (built.reports / f"{memo}.{ext}").is_file()
        json.loads((built.reports / f"{memo}.figures.json").read_text("utf-8"))
    json.loads((built.reports / "manifest.json").read_text("utf-8"))


# ---- HTML: text stays text ---------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_html_holds_no_markup_from_the_data(built, reports, name):
    """The hostile memo has no element or attribute the normal memo lacks, no event handler, no
    script and no link but to a note, a memo or a web source."""
    page, normal = parse(built.reports / name), parse(reports / name)
    elements = lambda tree: {e.tag for e in tree.iter() if isinstance(e.tag, str)}  # noqa: E731
    attributes = lambda tree: {a for e in tree.iter() for a in e.attrib}  # noqa: E731
    assert elements(page) <= elements(normal), elements(page) - elements(normal)
    assert attributes(page) <= attributes(normal), attributes(page) - attributes(normal)
    assert page.find(".//script") is None
    for e in page.iter():
        for attr, value in e.attrib.items():
            assert not attr.lower().startswith("on"), (e.tag, attr)
            if attr in ("href", "src") or attr.endswith("}href"):
                ok = value.startswith(("#", "https://", "http://")) or re.fullmatch(
                    r"[\w-]+\.(html|pdf)", value
                )
                assert ok, f"{name}: {e.tag} {attr}={value!r}"
    assert len(page.findall(".//style")) == len(normal.findall(".//style"))


@pytest.mark.parametrize("memo", MEMOS)
def test_hostile_text_is_printed_as_text(built, memo):
    markup = (built.reports / f"{memo}.html").read_text("utf-8")
    text = html_text(markup)
    for piece in (SCRIPT, STYLE_BREAKOUT, CSS_BREAKOUT, '<img src=x onerror="alert(2)">'):
        assert piece in text, f"{piece!r} is not shown as text"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    # A web address that tries to leave its attribute stays inside it, escaped.
    assert '/source?q=&#34;&gt;&lt;script&gt;alert(6)&lt;/script&gt;"' in markup
    # Zero-width characters in free text are kept as written.
    assert INVISIBLE_OK in text


@pytest.mark.parametrize("memo", MEMOS)
def test_jinja_syntax_in_data_is_printed_not_run(built, memo):
    markup = (built.reports / f"{memo}.html").read_text("utf-8")
    text = html_text(markup)
    assert JINJA in text and JINJA_BLOCK in text
    assert "1337" not in markup, "{{ 7*191 }} was evaluated"
    assert "__globals__" in text
    pdf = pdf_text(built.reports / f"{memo}.pdf")
    assert "1337" not in pdf and "7*191" in pdf


def _margin_strings(style_text: str) -> dict[str, str]:
    """The string in each page-margin box's ``content`` of the memo's <style> (``@page``)."""
    found = {}
    for rule in tinycss2.parse_stylesheet(style_text, skip_comments=True, skip_whitespace=True):
        if rule.type == "at-rule" and rule.lower_at_keyword == "page":
            for box in tinycss2.parse_blocks_contents(rule.content, skip_whitespace=True):
                if box.type != "at-rule":
                    continue
                for decl in tinycss2.parse_blocks_contents(box.content, skip_whitespace=True):
                    if decl.type == "declaration" and decl.lower_name == "content":
                        strings = [t.value for t in decl.value if t.type == "string"]
                        found[box.lower_at_keyword] = "".join(strings)
    return found


def _rule_outline(style_text: str) -> list[str]:
    rules = tinycss2.parse_stylesheet(style_text, skip_comments=True, skip_whitespace=True)
    return [
        f"@{r.lower_at_keyword}" if r.type == "at-rule" else tinycss2.serialize(r.prelude).strip()
        for r in rules
    ]


@pytest.mark.parametrize("memo", MEMOS)
def test_css_in_data_stays_inside_its_css_string(built, reports, memo):
    """Title and marking are written into CSS strings for the PDF's running header: the strings
    hold them whole, and the stylesheet has the same rules as the normal memo's."""
    style = parse(built.reports / f"{memo}.html").find(".//style").text
    normal = parse(reports / f"{memo}.html").find(".//style").text
    assert _rule_outline(style) == _rule_outline(normal)
    boxes = _margin_strings(style)
    assert boxes["top-left"] == built.title(memo)
    assert boxes["top-right"] == f"marking {built.payload}"
    # And the PDF prints them as text (WeasyPrint read the same strings).
    text = pdf_text(built.reports / f"{memo}.pdf")
    assert SCRIPT in text and "display:none" in text


@pytest.mark.parametrize("name", PAGES)
def test_no_script_runs_and_no_request_leaves_the_page_in_a_browser(built, browser, name):
    ctx = browser.new_context(viewport=chromium.DESKTOP)
    try:
        page = ctx.new_page()
        requests, dialogs, errors = [], [], []
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: errors.append(str(e)))
        url = (built.reports / name).as_uri()
        page.goto(url)
        page.wait_for_timeout(200)
        assert dialogs == [], f"script ran: {dialogs}"
        assert errors == []
        assert requests == [url], requests
        assert page.evaluate("document.scripts.length") == 0
        assert page.evaluate("getComputedStyle(document.body).display") != "none"
        if name != "index.html":
            h1 = page.evaluate("document.querySelector('h1').textContent")
            assert SCRIPT in h1 and JINJA in h1
    finally:
        ctx.close()


# ---- PDF: nothing attached, nothing run --------------------------------------------------------


@pytest.mark.parametrize("memo", MEMOS)
def test_pdf_has_no_attachment_script_or_action_beyond_web_links(built, memo):
    pdf = pikepdf.open(built.reports / f"{memo}.pdf")
    assert "/AF" not in pdf.Root and "/OpenAction" not in pdf.Root and "/AA" not in pdf.Root
    assert "/EmbeddedFiles" not in pdf.Root.get("/Names", {})
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary):
            assert obj.get("/Type") not in ("/EmbeddedFile", "/Filespec"), obj.get("/Type")
            assert obj.get("/S") not in ("/JavaScript", "/Launch", "/ImportData", "/SubmitForm")
            assert "/JS" not in obj
    for page in pdf.pages:
        for annot in page.get("/Annots", []):
            assert annot.Subtype == "/Link"
            action = annot.get("/A")
            if action is not None:
                assert action.S == "/URI" and str(action.URI).startswith(("http://", "https://"))


# ---- e-mail: names and subjects cannot add headers ---------------------------------------------


def _emails(built) -> dict[str, email.message.EmailMessage]:
    out = built.root / "outbox" / EDITION_DATE
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.eml"))}


def test_hostile_names_and_titles_do_not_change_the_message_headers(built):
    assert built.send.get("rc") == 0, built.send
    assert "Traceback" not in built.send["err"]
    messages = _emails(built)
    by_address = {}
    for name, raw in messages.items():
        header_block = raw.split(b"\r\n\r\n", 1)[0]
        lines = header_block.split(b"\r\n")
        assert b"\n" not in header_block.replace(b"\r\n", b""), f"{name}: bare line feed"
        assert b"\r" not in header_block.replace(b"\r\n", b""), f"{name}: bare carriage return"
        names = [line.split(b":", 1)[0].lower() for line in lines if not line[:1].isspace()]
        for injected in (b"bcc", b"cc", b"x-injected", b"reply-to"):
            assert injected not in names, (name, names)
        msg = email.message_from_bytes(raw, policy=policy.default)
        assert len(msg.get_all("To")) == 1 and len(msg["To"].addresses) == 1, msg["To"]
        assert "\n" not in msg["Subject"] and "\r" not in msg["Subject"]
        # The subject opens with the marking (the memos' own, hostile), then the publisher.
        assert msg["Subject"].startswith("[marking <script>alert(1)</script>")
        by_address.setdefault(msg["To"].addresses[0].addr_spec, []).append(sorted(names))
        html = next(p for p in msg.walk() if p.get_content_type() == "text/html").get_content()
        tree = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)
        assert tree.find(".//script") is None and tree.find(".//img") is None
        assert not any(a.startswith("on") for e in tree.iter() for a in e.attrib)
    # Every hostile recipient got messages, each with the headers a plain recipient's have.
    with (REPO / "config/recipients.csv").open(encoding="utf-8", newline="") as f:
        plain_addresses = [row["email"] for row in csv.DictReader(f)]
    plain = next(by_address[a][0] for a in plain_addresses if a in by_address)
    for _, address in HOSTILE_RECIPIENTS:
        assert by_address.get(address), f"nothing written for {address}"
        assert all(names == plain for names in by_address[address])


# Smoke cases; every control character the recipients check refuses is tested at the unit level.
BAD_NAMES = {
    "crlf": "Eve\r\nBcc: spy@evil.example",
    "right-to-left override": "Eve \u202emoc.elpmaxe@eve",
}


@pytest.mark.parametrize("case", list(BAD_NAMES))
def test_a_recipient_name_with_a_line_break_or_control_is_refused_before_sending(
    built, tmp_path, case
):
    project = copy_built(built.root, tmp_path / "p")
    with (project / "config/recipients.csv").open("a", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerow(
            [BAD_NAMES[case], "eve@example.org", "Org", audiences(project)[0], "en"]
        )
    result = run_memo(project, "send", "--outbox", "outbox-refused")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    # Named with its line: in the name column, or as a broken row (a bare CR ends a CSV record).
    assert re.search(r"config/recipients\.csv:\d+: (name|row): ", result.stderr), result.stderr
    assert not (project / "outbox-refused").exists(), "a message was written"


# ---- very long strings -------------------------------------------------------------------------


def test_very_long_strings_build_without_a_traceback(built_project, tmp_path):
    project = copy_built(built_project.root, tmp_path / "p")
    words = "Lorem ipsum dolor sit amet consectetur " * 300
    long_title = words[:500].strip()

    def source(row):
        if row["id"] == "fn01":
            row.update(title=words[:10000], publisher="X" * 3000)

    _edit_csv(project / "data/sources.csv", source)
    _edit_csv(project / "data/indicators.csv", lambda row: row.update(note=words[:10000]))
    memos = yaml.safe_load((project / "config/memos.yaml").read_text("utf-8"))
    for m in memos["memos"]:
        m.update(title=long_title, subtitle="Y" * 3000, marking="Z" * 200)
    _write_yaml(project / "config/memos.yaml", memos)
    # The Korean edition shows the untranslated texts under a "translation pending" notice.
    config = yaml.safe_load((project / "config/config.yaml").read_text("utf-8"))
    _write_yaml(project / "config/config.yaml", {**config, "translations": {"pending": "mark"}})
    derived = run_memo(project, "derive")
    assert derived.returncode == 0, derived.stderr[-3000:]
    # One memo, not in English when there is one: its line breaking is most at risk.
    memos = [sorted(MEMOS, key=lambda m: language(m) == "en")[0]]
    out = tmp_path / "out"
    result = run_memo(project, "render", *memos, "--out", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    for memo in memos:
        assert (out / f"{memo}.pdf").stat().st_size > 0
        tree = parse(out / f"{memo}.html")
        assert tree.find(".//title").text == long_title
        assert "X" * 3000 in html_text((out / f"{memo}.html").read_text("utf-8"))


# ---- references in templates: refused, named, never requested ----------------------------------


def _references(url: str) -> dict[str, tuple[str, str]]:
    """Markup put into a rendered memo, and the reference its error message must name."""
    svg_data = "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4="
    return {
        "img file": ('<img src="file:///etc/hostname" alt="x">', "file:///etc/hostname"),
        "img relative escape": (
            '<img src="../../../../../../../../etc/hostname" alt="x">',
            "/etc/hostname",
        ),
        "img http": (f'<img src="{url}/img.png" alt="x">', f"{url}/img.png"),
        "img data": (f'<img src="{svg_data}" alt="x">', svg_data[:40]),
        "css url data": (
            '<style>main { background: url("data:image/png;base64,iVBORw0KGgo=") }</style>',
            "data:image/png",
        ),
        "import http": (f"<style>@import url({url}/import.css);</style>", f"{url}/import.css"),
        "import file": ('<style>@import "file:///etc/passwd";</style>', "file:///etc/passwd"),
        "font-face http": (
            f"<style>@font-face {{ font-family: X; src: url({url}/f.ttf) }} h1 {{ font-family: X }}</style>",
            f"{url}/f.ttf",
        ),
        "stylesheet http": (f'<link rel="stylesheet" href="{url}/s.css">', f"{url}/s.css"),
        "attachment file": (
            '<link rel="attachment" href="file:///etc/passwd">',
            "file:///etc/passwd",
        ),
        "attachment http": (f'<a rel="attachment" href="{url}/a.txt">a</a>', f"{url}/a.txt"),
        "attachment project file": (
            '<link rel="attachment" href="../data/indicators.csv">',
            "data/indicators.csv",
        ),
        "attachment symlink": ('<link rel="attachment" href="evil.txt">', "evil.txt"),
        "object file": ('<object data="file:///etc/hostname"></object>', "file:///etc/hostname"),
        "svg image http": (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><title>t</title>'
            f'<image href="{url}/i.svg" width="9" height="9"/></svg>',
            f"{url}/i.svg",
        ),
    }


@pytest.fixture(scope="module")
def renderer(tmp_path_factory):
    """A PDF renderer over a copy of templates/ (with a link in it to a file outside) and assets/."""
    from memo.render.pdf import PdfRenderer

    root = tmp_path_factory.mktemp("refs")
    shutil.copytree(REPO / "templates", root / "templates")
    (root / "assets").symlink_to(REPO / "assets")
    (root / "data").mkdir()
    (root / "data/indicators.csv").write_text("secret\n")
    (root / "templates/evil.txt").symlink_to("/etc/hostname")
    return PdfRenderer(root)


# Smoke cases: a local file, a file of the project, a link out of templates/, a request; the
# renderer's fetcher is tested case by case at the unit level.
REFERENCE_CASES = ["img file", "attachment project file", "attachment symlink", "import http"]


@pytest.mark.parametrize("case", REFERENCE_CASES)
def test_reference_outside_templates_and_assets_fails_the_pdf_naming_it(
    built_project, renderer, listener, tmp_path, case
):
    from memo.render.pdf import RenderError

    markup, named = _references(listener.url)[case]
    html = (built_project.root / f"build/memos/{MEMOS[-1]}.html").read_text("utf-8")
    html = html.replace("</main>", markup + "\n</main>", 1)
    out = tmp_path / "memo.render.pdf"
    with pytest.raises(RenderError) as error:
        renderer.render(html, out)
    assert named in str(error.value), str(error.value)
    assert "blocked" in str(error.value)
    assert not out.exists()
    assert listener.hits == [], "the renderer made a request"


@pytest.mark.parametrize(
    "markup",
    ['<link rel="stylesheet" href="{url}/x.css">'],
)
def test_reference_in_a_template_fails_the_render_command_cleanly(
    built_project, tmp_path, listener, markup
):
    markup = markup.format(url=listener.url)
    project = copy_built(built_project.root, tmp_path / "p")
    memo = MEMOS[-1]
    template = project / "templates" / MEMO_DEFS[memo]["template"]
    replace_in(template, "<h2", markup + "<h2")
    out = tmp_path / "out"
    result = run_memo(project, "render", memo, "--out", str(out))
    assert result.returncode == 1
    assert re.search(r"/x\.css", result.stderr), result.stderr
    assert "Traceback" not in result.stderr
    assert not (out / f"{memo}.pdf").exists()
    assert listener.hits == []
