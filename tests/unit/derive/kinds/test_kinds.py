"""memo.derive.kinds: the declared kinds, each with its parameters; no kind changes its inputs."""

from __future__ import annotations

from memo.derive.kinds import KINDS
from unit.derive.kinds.drawn import CRUDE, CTX, TARIFFS
from unit.support import tables


def test_the_input_tables_are_not_modified() -> None:
    inputs = tables(TARIFFS + CRUDE.split("\n", 1)[1])
    before = {k: v.copy() for k, v in inputs.items()}
    for kind, params in [
        ("rank", {"of": "tariff"}),
        ("gap", {"of": "tariff"}),
        ("change", {"of": "crude"}),
        ("multiple", {"of": "crude"}),
        ("sum", {"of": "crude", "as": "WLD"}),
    ]:
        KINDS[kind].compute(params, inputs, CTX)
    for name, frame in inputs.items():
        assert frame.equals(before[name]), name


def test_every_kind_is_declared_with_its_parameters() -> None:
    assert set(KINDS) == {
        "rank", "gap", "difference", "change", "multiple", "cagr", "share", "implied", "sum",
    }  # fmt: skip
    assert KINDS["share"].indicators == ("part", "whole")
    assert KINDS["implied"].required == ("counterpart",)
    assert all(kind.summary for kind in KINDS.values())
