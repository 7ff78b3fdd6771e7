"""memo.core.quantity: ranges and bounds carried through arithmetic, figure by figure and by column.

Expected results are interval arithmetic worked out by hand: ``a - b`` spans
``[a.low - b.high, a.high - b.low]``, ``a / b`` spans ``[a.low / b.high, a.high / b.low]``; a bound
keeps its direction on the left of ``-`` and ``/`` and flips on the right.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from memo.core.quantity import (
    BoundsError,
    Quantities,
    Quantity,
    add,
    direction,
    divide,
    increasing,
    num,
    scale,
    significant_digits,
    subtract,
    supported_floor,
)


def q(value: float, qualifier: str = "", low: float | None = None, high: float | None = None):
    return Quantity.from_parts(value, low, high, qualifier)


def sub(a: Quantity, b: Quantity) -> Quantity:
    return subtract(a.column(), b.column())[0]


def div(a: Quantity, b: Quantity) -> Quantity:
    return divide(a.column(), b.column())[0]


# ---- one figure ------------------------------------------------------------------------------


def test_range_minus_less_than_is_more_than_a_range() -> None:
    # Russia's share of India's crude imports: 36–40% in 2025, less than 2% in 2021.
    assert sub(q(38, low=36, high=40), q(2, "less_than")).fields() == (36, 34, 38, "more_than")


def test_range_divided_by_less_than_is_more_than_a_range() -> None:
    assert div(q(38, low=36, high=40), q(2, "less_than")).fields() == (19, 18, 20, "more_than")


def test_exact_and_about_propagation() -> None:
    assert sub(q(50), q(19)).fields() == (31, None, None, "")
    assert div(q(212.3), q(20, "about")).qualifier == "about"
    assert sub(q(50, "nearly"), q(19)).qualifier == "about"  # nearly is carried as about


def test_interval_arithmetic_uses_opposite_ends() -> None:
    # [10, 20] - [1, 3] = [7, 19]; [10, 20] / [2, 4] = [2.5, 10]; [10, 20] + [1, 3] = [11, 23]
    assert sub(q(15, low=10, high=20), q(2, low=1, high=3)).fields() == (13, 7, 19, "")
    assert div(q(15, low=10, high=20), q(3, low=2, high=4)).fields() == (6.25, 2.5, 10, "")
    total = add(q(15, low=10, high=20).column(), q(2, low=1, high=3).column())[0]
    assert total.fields() == (17, 11, 23, "")


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("more_than", "", "more_than"),
        ("", "less_than", "more_than"),
        ("more_than", "less_than", "more_than"),
        ("more_than", "up_to", "more_than"),  # one strict bound makes the result strict
        ("less_than", "", "less_than"),
        ("", "more_than", "less_than"),
        ("less_than", "more_than", "less_than"),
        ("up_to", "", "up_to"),
        ("up_to", "more_than", "less_than"),
    ],
)
def test_bound_directions_through_subtraction(a: str, b: str, expected: str) -> None:
    assert sub(q(10, a), q(2, b)).qualifier == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("more_than", "", "more_than"),
        ("", "less_than", "more_than"),
        ("", "more_than", "less_than"),
        ("up_to", "", "up_to"),
        ("less_than", "more_than", "less_than"),
    ],
)
def test_bound_directions_through_division(a: str, b: str, expected: str) -> None:
    assert div(q(10, a), q(2, b)).qualifier == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [("more_than", "", "more_than"), ("", "less_than", "less_than"), ("up_to", "", "up_to")],
)
def test_bound_directions_through_addition(a: str, b: str, expected: str) -> None:
    assert add(q(10, a).column(), q(2, b).column())[0].qualifier == expected


@pytest.mark.parametrize(
    ("a", "b", "why"),
    [
        ("more_than", "more_than", "neither an upper nor a lower bound"),  # opposite pulls
        ("less_than", "less_than", "neither an upper nor a lower bound"),
        ("up_to", "up_to", "neither an upper nor a lower bound"),
        ("", "up_to", "non-strict lower bound"),  # 'at least': no qualifier says it
        ("about", "less_than", "bound on an approximate figure"),  # 'more than about'
    ],
)
def test_subtractions_no_qualifier_can_state(a: str, b: str, why: str) -> None:
    result = sub(q(10, a), q(2, b))
    assert why in result.error
    with pytest.raises(BoundsError, match=why):
        result.qualifier  # noqa: B018 (the property raises)
    assert result.describe().startswith("(unbounded) ")


@pytest.mark.parametrize(("a", "b"), [("more_than", "more_than"), ("about", "more_than")])
def test_divisions_no_qualifier_can_state(a: str, b: str) -> None:
    with pytest.raises(BoundsError):
        div(q(10, a), q(2, b)).qualifier  # noqa: B018


def test_division_needs_figures_above_zero() -> None:
    assert "division needs figures above zero" in div(q(10), q(0)).error
    assert "division needs figures above zero" in div(q(10), q(1, low=-1, high=3)).error


def test_bounds_error_is_a_value_error() -> None:
    assert issubclass(BoundsError, ValueError)


def test_scale_and_increasing_functions() -> None:
    assert scale(q(2, "less_than").column(), -1)[0].qualifier == "more_than"
    assert scale(q(37).column(), 0.01)[0].fields() == (0.37, None, None, "")
    cube = increasing(q(3, "more_than", 2, 4).column(), lambda x: x**3)[0]
    assert cube.fields() == (36, 8, 64, "more_than")
    with pytest.raises(ValueError):
        scale(q(1).column(), 0)


def test_unknown_qualifier_is_refused() -> None:
    with pytest.raises(ValueError):
        q(1, "roughly")


def test_describe() -> None:
    assert q(38, low=36, high=40).describe() == "36–40"
    assert sub(q(38, low=36, high=40), q(2, "less_than")).describe() == "more than 34–38"
    assert q(20, "about").describe() == "about 20"
    assert q(0.37).describe() == "0.37"
    assert num(268.108108) == "268.1" and num(-0.0001) == "0"


# ---- columns -----------------------------------------------------------------------------------


def test_a_column_is_computed_row_by_row_and_one_bad_row_does_not_stop_the_others() -> None:
    a = Quantities.from_columns(
        [38, 212.3, 10], [36, None, None], [40, None, None], ["", "", "more_than"]
    )
    b = Quantities.from_columns([2, 20, 2], [None, None, None], [None, None, None],
                                ["less_than", "about", "more_than"])  # fmt: skip
    result = divide(a, b)
    assert result.qualifiers() == ["more_than", "about", ""]
    errors = result.errors()
    assert errors[:2] == ["", ""]
    assert "neither an upper nor a lower bound" in errors[2]
    assert result[0].fields() == (19, 18, 20, "more_than")
    assert result.value[1] == pytest.approx(212.3 / 20)
    assert result.describe()[0] == "more than 18–20"


def test_points_and_take() -> None:
    ranks = Quantities.points([3, 1, 2])
    assert ranks.qualifiers() == ["", "", ""]
    assert list(ranks.take([1, 2]).value) == [1, 2]
    assert len(ranks) == 3
    assert np.all(ranks.error == "")


# ---- reading figures for wording ---------------------------------------------------------------


def test_direction_of_numbers() -> None:
    assert direction(2, 38) == "rose"
    assert direction(25, 19) == "fell"
    assert direction(0.1 + 0.2, 0.3) == "unchanged"


def test_direction_of_bounded_figures() -> None:
    assert direction(q(2, "less_than"), q(38, low=36, high=40)) == "rose"
    assert direction(q(38, low=36, high=40), q(2, "less_than")) == "fell"
    assert direction(q(5), q(5)) == "unchanged"
    with pytest.raises(BoundsError):  # overlapping ranges: the sign of the change is unknown
        direction(q(5, low=4, high=6), q(5.5, low=5, high=6))
    with pytest.raises(BoundsError):  # "more than 2" -> 10 may have risen or fallen
        direction(q(2, "more_than"), q(10))
    with pytest.raises(BoundsError):  # "about 5" -> "about 5": unchanged is not known either
        direction(q(5, "about"), q(5, "about"))


@pytest.mark.parametrize(
    ("text", "digits"), [("20", 1), ("212.3", 4), ("0.5", 1), ("0.50", 2), ("1e3", 1), ("14.6", 3)]
)
def test_significant_digits(text: str, digits: int) -> None:
    assert significant_digits(text) == digits


@pytest.mark.parametrize(
    ("x", "digits", "floor"), [(10.615, 1, 10), (173, 1, 100), (18.5, 2, 18), (0.049, 1, 0.04)]
)
def test_supported_floor(x: float, digits: int, floor: float) -> None:
    assert supported_floor(x, digits) == pytest.approx(floor)


def test_supported_floor_leaves_nothing_to_round_alone() -> None:
    assert supported_floor(0, 1) == 0
    assert math.isinf(supported_floor(math.inf, 1))
