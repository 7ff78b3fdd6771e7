"""memo.render.charts.kinds: each chart kind drawn from a small FactBook; the SVG is read back with
a real XML parser (bars, labels, the title that is the alternative text)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from memo.ingest.edition import ChartSpec
from memo.render.charts import ChartError, draw
from memo.render.charts.svg import BAR, HIGHLIGHT, PAIR_WIDTH, WIDTH, text_width
from unit.support import derived_book, korean, load_dictionary_text

SVG = "{http://www.w3.org/2000/svg}"
ROWS = """\
indicator,entity,counterpart,period,value,low,high,qualifier,unit,source
us_tariff_rate_pct,IND,,2025-07,25,,,,percent,fn15
us_tariff_rate_pct,IND,,2025-08-06,50,,,,percent,fn15
us_tariff_rate_pct,BRA,,2025-08-06,50,,,,percent,fn15
us_tariff_rate_pct,CHN,,2025-08-06,41,,,,percent,fn15
us_tariff_rate_pct,PAK,,2025-07,19,,,,percent,fn16
us_tariff_rate_pct,WLD,,2025-08-06,45,,,,percent,fn15
crude_import_share_pct,IND,RUS,2021,2,,,less_than,percent,article
crude_import_share_pct,IND,RUS,2023,20,,,,percent,article
crude_import_share_pct,IND,RUS,2025,38,36,40,,percent,article
crude_import_share_pct,IND,CHN,2025,20,,,,percent,article
crude_import_share_pct,IND,USA,2025,10,,,,percent,article
"""


@pytest.fixture(scope="module")
def dictionary(tmp_path_factory: pytest.TempPathFactory):
    return load_dictionary_text(tmp_path_factory.mktemp("charts"))


@pytest.fixture
def book(dictionary):
    return derived_book(ROWS, dictionary)


def spec(kind: str, title: str = "Title", alt: str = "Chart: {listing}.", **params) -> ChartSpec:
    return ChartSpec("c", kind, params, title, caption="Caption.", alt=alt, line=3)


def parse(chart):
    root = ET.fromstring(str(chart.svg))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    return root


def texts(root) -> list[str]:
    return [t.text for t in root.iter(f"{SVG}text")]


def rects(root) -> list:
    return list(root.iter(f"{SVG}rect"))


# ---- ranked bars -------------------------------------------------------------------------------


def test_ranked_bars_largest_first_with_one_entity_highlighted(book) -> None:
    chart = draw(
        spec("ranked_bars", "US tariff rates", "Tariffs: {listing}.", indicator="us_tariff_rate_pct", highlight="IND"),
        book,
    )  # fmt: skip
    root = parse(chart)
    bars = rects(root)
    assert len(bars) == 4  # Brazil, India, China, Pakistan: the world is no country
    assert [b.get("fill") for b in bars] == [BAR, HIGHLIGHT, BAR, BAR]
    widths = [float(b.get("width")) for b in bars]
    assert widths[0] == widths[1] and widths[3] == pytest.approx(widths[0] * 19 / 50, abs=0.1)
    # Names and figures as text; a figure of another date than most says so.
    assert texts(root) == [
        "Brazil", "50%", "India", "50%", "China", "41%", "Pakistan (July 2025)", "19%",
    ]  # fmt: skip
    bold = [t.text for t in root.iter(f"{SVG}text") if t.get("font-weight") == "bold"]
    assert bold == ["India", "50%"]
    # The title element is the alternative text; the description is the visible title.
    alt = "Tariffs: Brazil 50%; India 50%; China 41%; Pakistan (July 2025) 19%."
    assert root.find(f"{SVG}title").text == alt == chart.alt
    assert root.find(f"{SVG}desc").text == "US tariff rates" == chart.title
    assert root.get("aria-labelledby") == root.find(f"{SVG}title").get("id")


def test_ranked_bars_beside_the_text_are_drawn_small(book) -> None:
    wide = draw(spec("ranked_bars", indicator="us_tariff_rate_pct", highlight="IND"), book)
    small = draw(spec("ranked_bars", indicator="us_tariff_rate_pct", highlight="IND"), book, True)
    assert not wide.beside and small.beside
    assert parse(wide).get("width") == str(WIDTH) and parse(small).get("width") == str(PAIR_WIDTH)
    # The names keep their room; every bar still starts after the longest name.
    assert texts(parse(small)) == texts(parse(wide))
    starts = {float(b.get("x")) for b in rects(parse(small))}
    assert len(starts) == 1 and starts.pop() > text_width("Pakistan (July 2025)")
    # Page-wide kinds stay page-wide.
    assert not draw(spec("time_series", **CRUDE), book, True).beside


def test_ranked_bars_cite_every_figure_drawn(book) -> None:
    chart = draw(spec("ranked_bars", indicator="us_tariff_rate_pct", highlight="IND"), book)
    assert str(chart.caption).startswith("Caption. ")
    assert [n.source_id for n in book.notes] == ["fn15", "fn16"]
    assert 'href="#note-1"' in chart.caption and 'href="#note-2"' in chart.caption
    assert {r["context"] for r in book.records} == {"chart"}
    assert len(book.records) == 4


def test_ranked_bars_up_to_a_period_and_among_all(book) -> None:
    july = parse(draw(spec("ranked_bars", indicator="us_tariff_rate_pct", period="2025-07"), book))
    assert texts(july) == ["India", "25%", "Pakistan", "19%"]
    everyone = parse(draw(spec("ranked_bars", indicator="us_tariff_rate_pct", among="all"), book))
    assert "World" in texts(everyone) and len(rects(everyone)) == 5


def test_ranked_bars_of_nothing_is_an_error(book) -> None:
    with pytest.raises(ChartError, match="chart c: no us_tariff_gap_pp figures to draw"):
        draw(spec("ranked_bars", indicator="us_tariff_gap_pp", counterpart="XXX"), book)


# ---- paired periods ----------------------------------------------------------------------------

CRUDE = {"indicator": "crude_import_share_pct", "entity": "IND", "counterpart": "RUS"}


def test_paired_periods_draw_the_first_and_latest_with_range_and_bound(book) -> None:
    chart = draw(spec("paired_periods", **CRUDE), book)
    assert chart.beside  # small: it stands beside the paragraph discussing it
    root = parse(chart)
    bars = rects(root)
    assert [b.get("fill") for b in bars] == [BAR, HIGHLIGHT]  # the latest highlighted
    assert texts(root) == ["less than 2%", "2021", "36–40%", "2025"]
    # An upper bound is a dashed top; a range is a whisker.
    dashed = [line for line in root.iter(f"{SVG}line") if line.get("stroke-dasharray")]
    assert len(dashed) == 1 and float(dashed[0].get("y1")) == pytest.approx(float(bars[0].get("y")))
    assert len(list(root.iter(f"{SVG}path"))) == 1
    assert chart.alt == "Chart: 2021: less than 2%; 2025: 36–40%."


def test_a_log_scale_makes_a_small_first_bar_visible(book) -> None:
    linear = rects(parse(draw(spec("paired_periods", **CRUDE), book)))
    log_chart = parse(draw(spec("paired_periods", scale="log", **CRUDE), book))
    log = rects(log_chart)
    assert float(log[0].get("height")) > 3 * float(linear[0].get("height"))
    assert "logarithmic scale" in texts(log_chart)


def test_paired_periods_named_periods(book) -> None:
    root = parse(draw(spec("paired_periods", periods=["2021", "2023"], **CRUDE), book))
    assert texts(root) == ["less than 2%", "2021", "20%", "2023"]


def test_paired_periods_need_two_periods(book) -> None:
    params = {**CRUDE, "counterpart": "CHN"}
    with pytest.raises(
        ChartError, match="needs two periods of crude_import_share_pct for IND/CHN, found 1"
    ):
        draw(spec("paired_periods", **params), book)


def test_paired_periods_in_korean(dictionary) -> None:
    book = derived_book(ROWS, dictionary, language="ko", gettext=korean())
    root = parse(draw(spec("paired_periods", **CRUDE), book))
    assert texts(root) == ["2% 미만", "2021년", "36~40%", "2025년"]


# ---- time series and share bar -----------------------------------------------------------------


def test_time_series_marks_and_labels_every_period(book) -> None:
    root = parse(draw(spec("time_series", **CRUDE), book))
    assert len(list(root.iter(f"{SVG}circle"))) == 3
    assert texts(root) == ["less than 2%", "2021", "20%", "2023", "36–40%", "2025"]
    (line,) = root.iter(f"{SVG}path")
    assert line.get("d").count("L") == 2


def test_time_series_needs_two_periods(book) -> None:
    with pytest.raises(ChartError, match="a time series needs two periods, found 1"):
        draw(
            spec(
                "time_series", indicator="crude_import_share_pct", entity="IND", counterpart="USA"
            ),
            book,
        )


def test_share_bar_segments_and_the_rest(book) -> None:
    chart = draw(
        spec("share_bar", alt="Shares: {listing}.", indicator="crude_import_share_pct", entity="IND", highlight="RUS"),
        book,
    )  # fmt: skip
    root = parse(chart)
    *segments, rest = rects(root)
    # Russia 36–40 (drawn at its midpoint, 38), China 20, the United States 10, then the rest.
    widths = [float(s.get("width")) for s in segments]
    assert widths == pytest.approx([widths[0], widths[0] * 20 / 38, widths[0] * 10 / 38], abs=0.1)
    assert segments[0].get("fill") == HIGHLIGHT and rest.get("fill") == "#d9dde2"
    assert texts(root) == ["Russia", "36–40%", "China", "20%", "United States", "10%"]
    assert chart.alt == "Shares: Russia 36–40%; China 20%; United States 10%."


def test_words_fill_their_placeholders(book) -> None:
    chart = draw(
        ChartSpec(
            "c", "paired_periods", dict(CRUDE), "{entity} and {counterpart}",
            caption="{entity}'s imports", alt="{entity}: {listing}", line=1,
        ),
        book,
    )  # fmt: skip
    assert chart.title == "India and Russia"
    assert str(chart.caption).startswith("India&#39;s imports \u00a0<a ")  # escaped, then cited
    assert chart.alt == "India: 2021: less than 2%; 2025: 36–40%"
