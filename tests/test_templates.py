"""Templates print words, never figures: every number a reader sees comes from the data.

``helpers.template_numerals`` is the checker; it is tested on samples first, so that a numeral typed
into a template (in the text, in a {% trans %} block or in a translated message) cannot slip by.
"""

from __future__ import annotations

import jinja2
import pytest
import yaml
from helpers import REPO, template_numerals
from jinja2 import nodes

TEMPLATES = sorted((REPO / "templates").glob("*.j2"))


# ---- the checker ----------------------------------------------------------------------------------

BAD = {
    "text": "<p>The tariff is 50% now.</p>",
    "trans block": '{% trans rate=fact("us_tariff_rate_pct", "IND") %}Up from 25% to {{ rate }}{% endtrans %}',
    "gettext message": '<h2>{{ _("Trade grew tenfold since 2000") }}</h2>',
    "single-quoted message": "<p>{{ _('Since 2000') }}</p>",
    "attribute-free tag text": '<td class="num">3,488 km</td>',
    "entity-encoded": "<p>&#51;&#48; percent</p>",
}

GOOD = {
    "expression": '<p>{{ fact("us_tariff_rate_pct", "IND", period="2025-08-06") }}</p>',
    "statement": "{% for i in range(3) %}{{ i }}{% endfor %}",
    "comment": "{# checked against the 2025 article #}",
    "tag and attributes": '<h2 id="s2" aria-labelledby="h2">Bottom line</h2>',
    "style": "<style>@page { margin: 20mm; } h1 { font-size: 19pt; }</style>",
    "message without numerals": '<h2>{{ _("Key figures") }}</h2>',
}


@pytest.mark.parametrize("name", list(BAD))
def test_checker_flags_numerals_typed_into_a_template(name):
    assert template_numerals(BAD[name]), f"{name}: numeral not caught"


@pytest.mark.parametrize("name", list(GOOD))
def test_checker_leaves_expressions_tags_and_styles_alone(name):
    assert template_numerals(GOOD[name]) == []


# ---- the templates --------------------------------------------------------------------------------


def test_there_are_templates_to_check():
    names = {p.name for p in TEMPLATES}
    assert {
        "base.html.j2",
        "korea_brief.html.j2",
        "us_brief.html.j2",
        "key_figures.html.j2",
    } <= names


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_template_holds_no_numerals_in_its_text(path):
    found = template_numerals(path.read_text(encoding="utf-8"))
    assert found == [], f"{path.name}: numerals in the template text: {found}"


def _lookups(path):
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"])
    ast = env.parse(path.read_text(encoding="utf-8"))
    for call in ast.find_all(nodes.Call):
        f = call.node
        name = f.name if isinstance(f, nodes.Name) else getattr(f, "attr", None)
        if (
            name in ("fact", "fold", "change")
            and call.args
            and isinstance(call.args[0], nodes.Const)
        ):
            yield name, call.args[0].value
        if name in ("event", "event_title") and call.args and isinstance(call.args[0], nodes.Const):
            yield "event", call.args[0].value


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_template_asks_only_for_indicators_and_events_the_data_define(path):
    """A misspelt indicator or event id is caught here, before any build."""
    dictionary = yaml.safe_load((REPO / "data/dictionary.yaml").read_text(encoding="utf-8"))
    indicators = set(dictionary["indicators"])
    events = {
        line.split(",", 1)[0]
        for line in (REPO / "data/events.csv").read_text(encoding="utf-8").splitlines()[1:]
        if line.strip()
    }
    unknown = [
        (kind, name)
        for kind, name in _lookups(path)
        if (kind == "event" and name not in events) or (kind != "event" and name not in indicators)
    ]
    assert unknown == [], f"{path.name}: unknown ids {unknown}"
