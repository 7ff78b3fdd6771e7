"""Editions over time, built for real on a copy: edition A, a few rows changed, edition B.

The copy (of the session's build, with nothing published yet) holds the article's memos and, in a
topic of its own, the fictional test memo of ``new_topic/`` (read by its own audience), which no
edit touches. Edition A is built (only the test memo needs rendering) and sent (to
an SMTP server on 127.0.0.1); then the data change as an analyst would change them:

- India's tariff is cut from 50% to 45%, which breaks its tie with Brazil for the highest rate;
- Russia's share of India's crude imports is narrowed from 36–40% to 37–39%;
- the source of India's trade deficit with Korea is replaced by a new one (fn29);
- the Japanese investment pledge is removed from the key-figures memo's key figures.

Edition B is built: ``memo diff`` must list exactly those changes and what follows from them
(India's rank and the words that say it, the tariff gap with Pakistan, the growth of Russia's
share, the sources of the Korean deficit's share), the changed memos must open with a "What's new"
box in English and Korean, the test memo must have none and must not be rendered again, a dry-run
send must write messages only for the readers of changed memos, with the changes in them; and a
rebuild with nothing changed must publish nothing and send nothing.

The scenario is built once (a file lock shares it between test processes); each test reads it.
"""

from __future__ import annotations

import csv
import email
import fcntl
import json
import os
import re
import shutil
import socket
from email import policy
from html import unescape
from pathlib import Path

import pytest
import yaml
from aiosmtpd.controller import Controller
from helpers import (
    copy_built,
    pdf_text,
    rendered_memos,
    run_memo,
    run_snakemake,
    set_indicator_value,
    tool_env,
)

pytestmark = pytest.mark.e2e

NEW_TOPIC = Path(__file__).parent / "new_topic"
CHANGED = ("korea-brief-en", "korea-brief-ko", "us-brief-en", "key-figures-en")
UNTOUCHED = "arcadia-brief-en"
SENDER = "Policy Memo Unit <memos@example.org>"
RECIPIENTS = """\
name,email,organisation,audiences,language
Kim Min-jun,minjun.kim@mofa.example.kr,Ministry of Foreign Affairs,rok_officials,ko
Park Ji-ho,jiho.park@nsc.example.kr,Office of National Security,rok_officials,en
Jordan Ellis,jordan.ellis@senate.example.org,Senate Finance Committee,us_policymakers,en
Helen Park,helen.park@thinktank.example.org,Pacific Policy Forum,senior_readers;arcadia_readers,en
Ann Arcadia,ann@arcadia.example.org,Arcadia Desk,arcadia_readers,en
"""


# ---- the scenario ---------------------------------------------------------------------------------


def add_test_topic(project: Path) -> None:
    """The fictional topic of new_topic/, read by an audience of its own."""
    data = project / "data"
    dictionary = (data / "dictionary.yaml").read_text(encoding="utf-8")
    marker = "\n# Entity/counterpart convention"
    assert marker in dictionary
    dictionary = dictionary.replace(
        marker, "\n" + (NEW_TOPIC / "entities.yaml").read_text(encoding="utf-8") + marker, 1
    )
    dictionary = dictionary.rstrip("\n") + "\n" + (NEW_TOPIC / "dictionary.yaml").read_text()
    (data / "dictionary.yaml").write_text(dictionary, encoding="utf-8")
    for name in ("sources.csv", "indicators.csv"):
        text = (data / name).read_text(encoding="utf-8").rstrip("\n") + "\n"
        (data / name).write_text(text + (NEW_TOPIC / name).read_text(), encoding="utf-8")
    memos = yaml.safe_load((project / "config/memos.yaml").read_text(encoding="utf-8"))
    extra = yaml.safe_load((NEW_TOPIC / "memos.yaml").read_text(encoding="utf-8"))
    for key in ("topics", "charts"):
        memos[key].update(extra[key])
    memos["audiences"]["arcadia_readers"] = {"label": "Arcadia desk"}
    memos["memos"] += [m | {"audience": "arcadia_readers"} for m in extra["memos"]]
    write_yaml(project / "config/memos.yaml", memos)
    shutil.copy(NEW_TOPIC / "arcadia_brief.html.j2", project / "templates")
    (project / "config/recipients.csv").write_text(RECIPIENTS, encoding="utf-8")


def write_yaml(path: Path, data: dict) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def edit_row(project: Path, key: tuple[str, str, str, str], **cells: str) -> None:
    """Change cells of the data/indicators.csv row with this (indicator, entity, counterpart,
    period)."""
    path = project / "data/indicators.csv"
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    col = {name: i for i, name in enumerate(rows[0])}
    hits = [r for r in rows[1:] if tuple(r[:4]) == key]
    assert len(hits) == 1, key
    for name, value in cells.items():
        hits[0][col[name]] = value
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def edit_for_edition_b(project: Path) -> None:
    """The analyst's edits between edition A and edition B."""
    set_indicator_value(project, "us_tariff_rate_pct", "IND", "", "2025-08-06", "45")
    edit_row(project, ("crude_import_share_pct", "IND", "RUS", "2025"), low="37", high="39")
    with (project / "data/sources.csv").open("a", encoding="utf-8") as f:
        f.write(
            "fn29,,,Korea–India trade in 2024 (test source),Test Statistics Office,2025-09-10,,"
            "a replacement source for the test\n"
        )
    edit_row(project, ("trade_deficit_usd_bn", "IND", "KOR", "2024"), source="fn29")
    memos = yaml.safe_load((project / "config/memos.yaml").read_text(encoding="utf-8"))
    (key_figures,) = [m for m in memos["memos"] if m["id"] == "key-figures"]
    before = len(key_figures["key_figures"])
    key_figures["key_figures"] = [
        k for k in key_figures["key_figures"] if k["indicator"] != "investment_pledge_usd_bn"
    ]
    assert len(key_figures["key_figures"]) == before - 1
    write_yaml(project / "config/memos.yaml", memos)


class Inbox:
    """aiosmtpd handler: keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def memo(project: Path, *args: str, env: dict[str, str] | None = None) -> dict:
    result = run_memo(project, *args, env=env)
    return {"out": result.stdout, "err": result.stderr, "code": result.returncode}


def send(project: Path, inbox: Inbox, port: int, *first: str) -> dict:
    """Really send through the test server, signed off; return what memo send said and the
    messages (``first``: --first-send, for the project's first send)."""
    env = tool_env(
        MEMO_SMTP_HOST="127.0.0.1",
        MEMO_SMTP_PORT=str(port),
        MEMO_SMTP_STARTTLS="false",
        MEMO_MAIL_FROM=SENDER,
    )
    before = len(inbox.messages)
    result = memo(project, "send", "--send", "--approved-by", "E2E Reviewer", *first, env=env)
    result["to"] = sorted(r for rcpts, _ in inbox.messages[before:] for r in rcpts)
    return result


def build_scenario(base: Path, built: Path) -> dict:
    """Edition A, sent; the edits; edition B, compared, previewed and sent; a rebuild.

    The project is a copy of the session's build with nothing published (no reports/, no
    .reports/): edition A is its first edition, and only the test topic's memo is rendered for it
    (the article's memos show nothing of that topic, so their renders are up to date)."""
    project = copy_built(built, base / "project")
    (project / "reports").unlink()
    shutil.rmtree(project / ".reports")
    add_test_topic(project)
    out: dict = {}
    inbox = Inbox()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        a = run_snakemake(project, "--cores", "2", timeout=900)
        out["a"] = {"code": a.returncode, "log": a.stdout[-6000:]}
        out["a_rendered"] = rendered_memos(a.stdout)
        out["a_link"] = os.readlink(project / "reports")
        out["send_a"] = send(project, inbox, port, "--first-send")

        edit_for_edition_b(project)
        b = run_snakemake(project, "--cores", "2", timeout=900)
        out["b"] = {"code": b.returncode, "log": b.stdout[-6000:]}
        out["b_rendered"] = rendered_memos(b.stdout)
        out["b_link"] = os.readlink(project / "reports")
        out["diff_text"] = memo(project, "diff")
        out["diff_json"] = memo(project, "diff", "--json")
        out["dry_b"] = memo(project, "send")
        out["send_b"] = send(project, inbox, port)

        # Nothing changed: publish runs (forced by Snakemake) and finds the inputs unchanged.
        again = run_snakemake(project, "--cores", "2", "--forcerun", "publish", timeout=900)
        out["again"] = {"code": again.returncode, "log": again.stdout[-6000:]}
        out["again_link"] = os.readlink(project / "reports")
        noop = run_snakemake(project, "--cores", "2", timeout=900)
        out["noop"] = {"code": noop.returncode, "log": noop.stdout[-3000:]}
        out["dry_again"] = memo(project, "send")
        out["send_again"] = send(project, inbox, port)
    finally:
        controller.stop()
    return out


@pytest.fixture(scope="module")
def scenario(
    built_project, reports, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> tuple[Path, dict]:
    if hasattr(request.config, "workerinput"):  # an xdist worker: share with the other workers
        base = tmp_path_factory.getbasetemp().parent / "memo-editions"
    else:
        base = tmp_path_factory.mktemp("memo-editions")
    base.mkdir(parents=True, exist_ok=True)
    with open(base / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            result_file = base / "result.json"
            if not result_file.is_file():
                result_file.write_text(
                    json.dumps(build_scenario(base, built_project.root)), encoding="utf-8"
                )
            result = json.loads(result_file.read_text(encoding="utf-8"))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    project = base / "project"
    assert result["a"]["code"] == 0, result["a"]["log"]
    assert result["b"]["code"] == 0, result["b"]["log"]
    return project, result


# ---- what memo diff says ----------------------------------------------------------------------------


def changes(data: dict, oid: str) -> set[tuple]:
    return {
        (c["kind"], c["helper"], c["indicator"], c["entity"], c["counterpart"], tuple(c["aspects"]))
        for c in data["memos"]["changed"][oid]
    }


TARIFF = ("changed", None, "us_tariff_rate_pct", "IND", "", ("value",))
OIL = ("changed", None, "crude_import_share_pct", "IND", "RUS", ("range",))
RANK = ("changed", None, "us_tariff_rank", "IND", "", ("value",))
TIE = ("wording", "standing", "us_tariff_rank", "IND", "", ("text", "rank", "tie broken"))
OIL_WORDS = ("wording", "change", "crude_import_share_pct", "IND", "RUS", ("text",))
GAP = ("changed", None, "us_tariff_gap_pp", "IND", "PAK", ("value",))
KOREA_SOURCES = {
    ("changed", None, "trade_deficit_usd_bn", "IND", "KOR", ("source",)),
    ("changed", None, "share_of_total_deficit_pct", "IND", "KOR", ("source",)),
}


def test_memo_diff_lists_exactly_the_changes_and_their_consequences(scenario) -> None:
    project, result = scenario
    assert result["diff_json"]["code"] == 0, result["diff_json"]["err"]
    data = json.loads(result["diff_json"]["out"])
    # The build is edition B, published: it is compared with edition A.
    assert data["old"]["edition"] == Path(result["a_link"]).name
    assert data["new"]["edition"] == "build"
    assert (data["memos"]["added"], data["memos"]["removed"]) == ([], [])
    assert data["memos"]["unchanged"] == [UNTOUCHED]
    assert list(data["memos"]["changed"]) == list(CHANGED)
    for oid in ("korea-brief-en", "korea-brief-ko"):
        assert changes(data, oid) == {TARIFF, OIL, RANK, TIE, OIL_WORDS} | KOREA_SOURCES
    # The US brief also shows the gap with Pakistan and the growth of Russia's share (36–40 over
    # "less than 2": more than 18–20 times; 37–39: more than 18.5–19.5; "more than 18-fold" both).
    growth = ("changed", None, "crude_import_share_multiple", "IND", "RUS", ("range",))
    assert changes(data, "us-brief-en") == {TARIFF, OIL, RANK, TIE, OIL_WORDS, GAP, growth}
    pledge = ("removed", None, "investment_pledge_usd_bn", "JPN", "IND", ())
    assert changes(data, "key-figures-en") == {TARIFF, OIL, RANK, TIE, GAP, pledge}

    values = {
        (c["kind"], c["indicator"]): (c["old"]["text"], c["new"]["text"])
        for c in data["memos"]["changed"]["us-brief-en"]
    }
    assert values[("changed", "us_tariff_rate_pct")] == ("50%", "45%")
    assert values[("changed", "crude_import_share_pct")] == ("36–40%", "37–39%")
    assert values[("changed", "us_tariff_gap_pp")] == (
        "31 percentage points",
        "26 percentage points",
    )
    assert values[("changed", "crude_import_share_multiple")] == (
        "more than 18–20 times",
        "more than 18.5–19.5 times",
    )
    assert values[("changed", "us_tariff_rank")] == ("1", "2")
    assert values[("wording", "us_tariff_rank")] == (
        "tied with Brazil for the highest US tariff rate on any country",
        "the second-highest US tariff rate on any country",
    )
    korea = {
        c["indicator"]: c
        for c in data["memos"]["changed"]["korea-brief-en"]
        if c["kind"] == "changed"
    }
    assert korea["trade_deficit_usd_bn"]["old"]["sources"] == ["article"]
    assert korea["trade_deficit_usd_bn"]["new"]["sources"] == ["fn29"]
    assert sorted(korea["share_of_total_deficit_pct"]["old"]["sources"]) == ["article", "fn22"]
    assert sorted(korea["share_of_total_deficit_pct"]["new"]["sources"]) == ["fn22", "fn29"]

    text = result["diff_text"]["out"]
    assert text.startswith(f"memo diff: {Path(result['a_link']).name} (2025-09-15) → build")
    assert "key-figures-en: 6 changes" in text
    assert (
        "  figure removed   Investment pledge (investment_pledge_usd_bn JPN/IND 2025-08-28): "
        "about $68 billion" in text
    )
    assert f"unchanged: {UNTOUCHED}" in text

    # Each edition's page of changes, linked from its index.
    page = (project / "reports/changes.html").read_text(encoding="utf-8")
    assert f"Compared with the edition {Path(result['a_link']).name} (2025-09-15)." in page
    assert "<td>36–40%</td><td>37–39%</td>" in page
    assert '<a href="changes.html">' in (project / "reports/index.html").read_text("utf-8")


# ---- the What's new box ------------------------------------------------------------------------------


def box(project: Path, oid: str) -> list[str] | None:
    """The items of a memo's "What's new" box (note calls as [n]), or None without a box."""
    html = (project / "reports" / f"{oid}.html").read_text(encoding="utf-8")
    found = re.search(r'<section class="whats-new".*?</section>', html, re.S)
    if found is None:
        return None
    items = re.findall(r"<li>(.*?)</li>", found.group(0), re.S)
    return [
        " ".join(unescape(re.sub(r"<[^>]+>", "", re.sub(r"<sup>(\d+)</sup>", r"[\1]", i))).split())
        for i in items
    ]


def without_notes(items: list[str]) -> list[str]:
    assert all(re.search(r"\[\d+\]$", item) for item in items), items
    return [re.sub(r"\s*\[\d+\]$", "", item) for item in items]


TARIFF_EN = "US tariff rate on imports for India fell from 50% to 45%."
OIL_EN = "Share of crude oil imports for India – Russia is now 37–39%, previously 36–40%."
TIE_EN = (
    "India is now the second-highest US tariff rate on any country, no longer tied with Brazil."
)
GAP_EN = (
    "Gap in US tariff rates for India – Pakistan fell from 31 percentage points to 26 "
    "percentage points."
)


def test_changed_memos_open_with_whats_new_in_english(scenario) -> None:
    project, _ = scenario
    assert without_notes(box(project, "key-figures-en")) == [
        TARIFF_EN,
        OIL_EN,
        TIE_EN,
        GAP_EN,
        "No longer in this memo: Investment pledge for Japan – India, previously about $68 "
        "billion.",
    ]
    assert without_notes(box(project, "us-brief-en")) == [
        TARIFF_EN,
        OIL_EN,
        TIE_EN,
        GAP_EN,
        "Growth in share of crude oil imports for India – Russia is now more than 18.5–19.5 "
        "times, previously more than 18–20 times.",
    ]
    assert without_notes(box(project, "korea-brief-en")) == [
        TARIFF_EN,
        OIL_EN,
        "Trade deficit for India – South Korea (about $14.6 billion) now cites a different source.",
        TIE_EN,
        "Share of total trade deficit (computed) for India – South Korea (about 5.4%) now cites "
        "a different source.",
    ]
    # The new source is cited, as the figure's note.
    korea = (project / "reports/korea-brief-en.html").read_text(encoding="utf-8")
    assert "Korea–India trade in 2024 (test source)" in korea
    assert "What’s new" in pdf_text(project / "reports/us-brief-en.pdf").replace("'", "’")


def test_changed_memos_open_with_whats_new_in_korean(scenario) -> None:
    project, _ = scenario
    assert without_notes(box(project, "korea-brief-ko")) == [
        "미국의 수입 관세율(인도): 50%에서 45% 수준으로 낮아졌습니다.",
        "원유 수입 비중(인도–러시아): 이전 36~40%, 현재 37~39%.",
        "무역적자(인도–대한민국): 약 146억 달러, 출처가 바뀌었습니다.",
        "인도: 이제 미국이 매기는 국가별 관세율 가운데 2위입니다(이전에는 브라질도 같은 수준).",
        "전체 무역적자 중 비중(산출)(인도–대한민국): 약 5.4%, 출처가 바뀌었습니다.",
    ]
    assert "새로운 내용" in pdf_text(project / "reports/korea-brief-ko.pdf")


def test_an_unchanged_memo_has_no_box_and_is_not_rendered_again(scenario) -> None:
    project, result = scenario
    assert box(project, UNTOUCHED) is None
    assert result["a_rendered"] == [UNTOUCHED]  # the article's memos were rendered already
    assert sorted(result["b_rendered"]) == sorted(CHANGED)
    a_edition = project / ".reports" / Path(result["a_link"]).name
    # Edition A is kept whole beside B, and A's memos had no box (a first edition).
    assert (a_edition / "key-figures-en.pdf").is_file()
    assert '<section class="whats-new"' not in (a_edition / "key-figures-en.html").read_text(
        "utf-8"
    )


# ---- sends follow changes -------------------------------------------------------------------------


def test_a_dry_run_send_writes_only_the_changed_memos_with_what_changed(scenario) -> None:
    project, result = scenario
    assert result["send_a"]["code"] == 0, result["send_a"]["err"]
    assert len(result["send_a"]["to"]) == 5  # one message each; Helen's carries her two memos
    assert result["dry_b"]["code"] == 0, result["dry_b"]["err"]
    outbox = project / "outbox" / "2025-09-15"
    written = sorted(p.name for p in outbox.glob("*.eml"))
    assert written == [  # one message per recipient, with only the memos that changed
        "helen.park@thinktank.example.org.eml",
        "jiho.park@nsc.example.kr.eml",
        "jordan.ellis@senate.example.org.eml",
        "minjun.kim@mofa.example.kr.eml",
    ]
    assert "4 message(s) written" in result["dry_b"]["out"]

    def body(name: str) -> str:
        msg = email.message_from_bytes((outbox / name).read_bytes(), policy=policy.default)
        return msg.get_body(("plain",)).get_content().replace("\r\n", "\n")

    helen = body("helen.park@thinktank.example.org.eml")
    assert "    What has changed since the edition you received (2025-09-15):\n" in helen
    assert f"      - {TARIFF_EN}\n" in helen and f"      - {TIE_EN}\n" in helen
    assert "      - No longer in this memo: Investment pledge for Japan – India" in helen
    kim = body("minjun.kim@mofa.example.kr.eml")
    assert "    받으신 2025-09-15판 이후 달라진 점:\n" in kim
    assert "      - 미국의 수입 관세율(인도): 50%에서 45% 수준으로 낮아졌습니다.\n" in kim
    # And the real send of edition B reaches the same four.
    assert result["send_b"]["to"] == sorted(
        [
            "helen.park@thinktank.example.org",
            "jiho.park@nsc.example.kr",
            "minjun.kim@mofa.example.kr",
            "jordan.ellis@senate.example.org",
        ]
    )


def test_a_rebuild_with_no_input_change_publishes_nothing_and_sends_nothing(scenario) -> None:
    project, result = scenario
    assert result["again"]["code"] == 0, result["again"]["log"]
    assert "inputs unchanged since the published edition" in result["again"]["log"]
    assert result["again_link"] == result["b_link"]
    history = (
        (project / ".reports/.history/editions.jsonl").read_text(encoding="utf-8").splitlines()
    )
    assert [json.loads(line)["edition"] for line in history] == [
        Path(result["a_link"]).name,
        Path(result["b_link"]).name,
    ]
    assert "Nothing to be done" in result["noop"]["log"]
    assert "0 message(s) written" in result["dry_again"]["out"]
    assert result["send_again"]["code"] == 0 and result["send_again"]["to"] == []


# ---- accessible ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["key-figures-en.html", "korea-brief-ko.html", "changes.html"])
def test_the_box_and_the_changes_page_pass_axe(scenario, browser, name: str) -> None:
    from a11y import browser as chromium

    project, _ = scenario
    ctx = browser.new_context(viewport=chromium.DESKTOP)
    try:
        page = ctx.new_page()
        page.goto((project / "reports" / name).as_uri())
        for viewport in (chromium.DESKTOP, chromium.PHONE):
            page.set_viewport_size(viewport)
            result = chromium.run_axe(page)
            assert not result["violations"], (
                f"{name} at {viewport['width']} px:\n"
                + chromium.describe_violations(result["violations"])
            )
            assert len(result["passes"]) + len(result["inapplicable"]) > 20, "axe did not run"
    finally:
        ctx.close()
