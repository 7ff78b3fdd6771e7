"""memo.render.locate: the template file and line a render error is reported at."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from memo.render.locate import call_location, template_location, traced

# A figure call twice, and a {% trans %} block whose variables Jinja places on the line before.
TEMPLATE = """\
<p>{{ fact("a") }}</p>
<p>{{ fact("b") }}</p>

{% trans x=fact("b") %}
Then {{ x }}.
{% endtrans %}
"""


@pytest.fixture
def env(tmp_path: Path) -> jinja2.Environment:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "memo.html.j2").write_text(TEMPLATE, encoding="utf-8")
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(tmp_path / "templates"),
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
    )


def failing(name: str):
    def fact(key: str) -> str:
        if key == name:
            raise LookupError(f"no figure {key}")
        return key

    return fact


def test_an_error_is_placed_at_the_template_line_of_its_frame(env) -> None:
    env.install_null_translations()
    with pytest.raises(LookupError) as raised:
        env.get_template("memo.html.j2").render(fact=failing("a"))
    assert template_location(raised.value, "memo.html.j2") == ("templates/memo.html.j2", 1)


def test_a_syntax_error_keeps_its_own_file_and_line(env) -> None:
    bad = jinja2.TemplateSyntaxError("unexpected end", 3, "part", "templates/part.html.j2")
    assert template_location(bad, "memo.html.j2") == ("templates/part.html.j2", 3)
    # No template frame at all: the memo's template, line unknown.
    assert template_location(ValueError("x"), "memo.html.j2") == ("templates/memo.html.j2", 0)


def test_a_traced_call_is_found_at_its_own_line(env, tmp_path: Path) -> None:
    env.install_null_translations()
    with pytest.raises(LookupError) as raised:
        env.get_template("memo.html.j2").render(fact=traced("fact", failing("b")))
    error = raised.value
    assert error.figure_call == ("fact", ("b",), ())
    # Jinja says line 2 (the first call with "b"); the call nearest at or after it is line 2.
    assert call_location(tmp_path, env, "memo.html.j2", error, "templates/memo.html.j2", 2) == (
        "templates/memo.html.j2",
        2,
    )
    # Jinja's line for the trans block's variable is the line before the block: the call is found.
    assert call_location(tmp_path, env, "memo.html.j2", error, "templates/memo.html.j2", 3) == (
        "templates/memo.html.j2",
        4,
    )
    # An unmarked error keeps the line it came with.
    assert call_location(
        tmp_path, env, "memo.html.j2", ValueError(), "templates/memo.html.j2", 9
    ) == ("templates/memo.html.j2", 9)
