"""memo.render.templates: ``memo validate`` resolves every figure call of every template (and
Markdown section) a memo uses, as a render would, and reports each failure at its line with the
closest ids; Jinja syntax errors too. Lines are found in the text the test wrote."""

from __future__ import annotations

from memo.ingest.validate import STAGE_CHECKS, validate
from unit.support import MEMOS, TARIFF_TEMPLATE, line_of, write


def problems_of(root) -> list[str]:
    return [str(p) for p in validate(root)[1]]


def test_templates_check_is_a_stage_of_validate():
    assert "memo.render.templates:check" in STAGE_CHECKS


def test_the_small_project_has_no_template_problem(project):
    assert problems_of(project) == []


def test_a_misspelt_indicator_is_reported_at_its_line_with_a_suggestion(make_project):
    broken = TARIFF_TEMPLATE.replace('fact("us_tariff_rate_pct"', 'fact("us_tarif_rate_pct"')
    root = make_project(tariff_brief=broken)
    line = line_of(broken, '  <p id="bottom-line">')
    expected = (
        f'templates/tariff_brief.html.j2:{line}: fact("us_tarif_rate_pct", "IND", '
        'period="2025-08-06"): unknown indicator "us_tarif_rate_pct" (did you mean '
        "us_tariff_rate_pct"
    )
    found = problems_of(root)
    assert any(p.startswith(expected) for p in found), found


def test_every_problem_of_every_template_is_reported_at_once(make_project):
    tariff = TARIFF_TEMPLATE.replace(
        'say.standing("us_tariff_rank", "IND")', 'say.standing("us_tariff_rank", "INX")'
    )
    tariff += '{% block extra %}<p>{{ event("tarif_order") }}</p>\n<p>{{ fact("us_tariff_rate_pct", "IND", period="2019") }}</p>{% endblock %}\n'
    root = make_project(tariff_brief=tariff)
    found = problems_of(root)
    path = "templates/tariff_brief.html.j2"
    standing = line_of(tariff, '  <p id="bottom-line">')
    event = line_of(tariff, "{% block extra %}")
    period = line_of(tariff, '<p>{{ fact("us_tariff_rate_pct", "IND", period="2019")')
    wanted = [
        f'{path}:{standing}: say.standing("us_tariff_rank", "INX"): no figure for indicator '
        '"us_tariff_rank" (entity=INX) in topic us-india (memo tariff-brief) (did you mean IND?)',
        f'{path}:{event}: event("tarif_order"): unknown event "tarif_order" (did you mean '
        "tariff_order?)",
        f'{path}:{period}: fact("us_tariff_rate_pct", "IND", period="2019"): no figure for '
        'indicator "us_tariff_rate_pct" (entity=IND, period=2019) in topic us-india (memo '
        "tariff-brief) (it has entity/counterpart/period BRA/-/2025-08-06, IND/-/2025-07, "
        "IND/-/2025-08-06, PAK/-/2025-07)",
    ]
    for line in wanted:
        assert line in found, "\n".join(found)


def test_memos_sharing_a_template_and_topic_each_get_their_problem_naming_them(make_project):
    # Two memos of one topic use the same template: its calls are resolved once for both, and the
    # broken one is still reported for each memo, by name.
    second = MEMOS.replace("  - id: trade-brief\n", "  - id: tariff-brief-2\n", 1).replace(
        "    template: trade_brief.html.j2\n", "    template: tariff_brief.html.j2\n", 1
    )
    assert second != MEMOS
    tariff = TARIFF_TEMPLATE.replace(
        'say.standing("us_tariff_rank", "IND")', 'say.standing("us_tariff_rank", "INX")'
    )
    root = make_project(tariff_brief=tariff, memos=second)
    line = line_of(tariff, '  <p id="bottom-line">')
    found = problems_of(root)
    for memo in ("tariff-brief", "tariff-brief-2"):
        expected = (
            f'templates/tariff_brief.html.j2:{line}: say.standing("us_tariff_rank", "INX"): no '
            f'figure for indicator "us_tariff_rank" (entity=INX) in topic us-india (memo {memo}) '
            "(did you mean IND?)"
        )
        assert expected in found, "\n".join(found)


def test_a_wording_that_the_data_cannot_support_fails_as_the_render_would(make_project):
    # A multiple below 2 has no "n-fold" wording: the render raises, so the check reports it.
    indicators = (
        "indicator,entity,counterpart,period,value,low,high,qualifier,unit,source,note\n"
        "bilateral_trade_usd_bn,USA,IND,2000,150,,,,usd_bn,fn09,\n"
        "bilateral_trade_usd_bn,USA,IND,2024,212.3,,,,usd_bn,fn09,\n"
        "crude_import_share_pct,IND,RUS,2021,2,,,less_than,percent,article,\n"
        "crude_import_share_pct,IND,RUS,2025,38,36,40,,percent,article,\n"
        "us_tariff_rate_pct,IND,,2025-08-06,50,,,,percent,fn01,\n"
    )
    root = make_project(indicators=indicators)
    found = problems_of(root)
    assert any(
        p.startswith("templates/trade_brief.html.j2:5: ")
        and 'say.fold("bilateral_trade_multiple", "USA", "IND")' in p
        and "no n-fold wording" in p
        for p in found
    ), found


def test_a_jinja_syntax_error_is_reported_at_its_line(make_project):
    broken = TARIFF_TEMPLATE.replace("{% endblock %}", "{% endblok %}")
    root = make_project(tariff_brief=broken)
    line = line_of(broken, "{% endblok %}")
    found = problems_of(root)
    assert any(
        p.startswith(f"templates/tariff_brief.html.j2:{line}: template syntax: ") and "endblok" in p
        for p in found
    ), found


def test_a_section_with_no_block_and_no_markdown_file_is_reported(make_project):
    from unit.support import MEMOS

    memos = MEMOS.replace(
        "sections: [bottom_line, key_figures, charts]\n    key_figures:\n      - {indicator: us_tariff_rate_pct",
        "sections: [bottom_line, key_figures, charts, outlok]\n    key_figures:\n      - {indicator: us_tariff_rate_pct",
        1,
    )
    assert memos != MEMOS
    root = make_project(memos=memos)
    found = problems_of(root)
    line = line_of(memos, "  - id: tariff-brief")
    assert any(
        p.startswith(f'config/memos.yaml:{line}: memos[0].sections: section "outlok" is neither')
        and "templates/tariff-brief/outlok.md" in p
        for p in found
    ), found


def test_markdown_calls_are_checked_at_their_line_in_the_markdown_file(make_project):
    memos_root = make_project()
    text = (
        "## Outlook\n"
        "\n"
        'Trade reached {{ fact("bilateral_trade_usd_bn", "USA", "IND", "2024") }}\n'
        'and the rate {{ fact("us_tarif_rate_pct", "IND") }}.\n'
        "\n"
        "- {{ book.notes }}\n"
    )
    write(memos_root / "templates/tariff-brief/bottom_line.md", text)
    found = problems_of(memos_root)
    md = "templates/tariff-brief/bottom_line.md"
    assert any(
        p.startswith(f'{md}:4: fact("us_tarif_rate_pct", "IND"): unknown indicator') for p in found
    ), found
    assert any(p.startswith(f"{md}:6: {{{{ book.notes }}}} is not a call of") for p in found), found
    assert not any(":3:" in p for p in found), found


def test_memo_validate_fails_on_a_misspelt_indicator_and_prints_its_line(make_project, capsys):
    import argparse

    from memo.ingest.validate import cli_validate

    broken = TARIFF_TEMPLATE.replace('fact("us_tariff_rate_pct"', 'fact("us_tarif_rate_pct"')
    root = make_project(tariff_brief=broken)
    assert cli_validate(argparse.Namespace(root=str(root), stamp="build/validated.json")) == 1
    err = capsys.readouterr().err
    line = line_of(broken, '  <p id="bottom-line">')
    assert f"templates/tariff_brief.html.j2:{line}: " in err
    assert "did you mean us_tariff_rate_pct" in err
    assert err.rstrip().endswith("1 problem in templates/; nothing was built")
    assert not (root / "build/validated.json").exists()


def test_a_template_saved_again_is_checked_as_it_now_reads(project):
    """Each text is parsed once per process (a preview checks on every save): a fix, and a new
    mistake, count at the next check of the same file."""
    path = project / "templates/tariff_brief.html.j2"
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("us_tariff_rate_pct", "us_tarif_rate_pct", 1), encoding="utf-8")
    assert any("unknown indicator" in p for p in problems_of(project))
    path.write_text(good, encoding="utf-8")
    assert problems_of(project) == []
    path.write_text(good.replace("{% block", "{% blok", 1), encoding="utf-8")
    assert any("template syntax" in p for p in problems_of(project))
