"""What the tests of the derivation kinds share: run a kind on a table drawn as CSV text."""

from __future__ import annotations

from memo.derive.kinds import KINDS
from unit.support import context, results, tables

CTX = context()


def L(*lines: int) -> tuple[str, ...]:  # noqa: N802 (reads like the rows it names)
    return tuple(f"data/indicators.csv:{n}" for n in lines)


def derive(kind: str, text: str, **params) -> list[dict]:
    result = KINDS[kind].compute(params, tables(text), CTX)
    assert result.problems == []
    return results(result)


def problems(kind: str, text: str, **params) -> list[str]:
    result = KINDS[kind].compute(params, tables(text), CTX)
    assert len(result.keys) == 0, "a derivation with a problem gives no figures"
    return result.problems


# The US tariffs of 6 August 2025 (and India's and Pakistan's July rates), the world's as an aggregate.
TARIFFS = """\
indicator,entity,counterpart,period,value,low,high,qualifier,source
tariff,IND,,2025-07,25,,,,fn03
tariff,IND,,2025-08-06,50,,,,fn04
tariff,PAK,,2025-07,19,,,,fn03
tariff,BRA,,2025-08-06,50,,,,fn04
tariff,SYR,,2025-08-06,41,,,,fn04
tariff,LAO,,2025-08-06,40,,,,fn04
tariff,MMR,,2025-08-06,40,,,,fn04
tariff,WLD,,2025-08-06,45,,,,fn05
"""

# Russia's share of India's crude imports: "less than 2 percent" in 2021, "36 to 40 percent" in 2025.
CRUDE = """\
indicator,entity,counterpart,period,value,low,high,qualifier,source
crude,IND,RUS,2021,2,,,less_than,fn20
crude,IND,RUS,2023,20,,,,fn21
crude,IND,RUS,2025,38,36,40,,fn22
crude,IND,IRQ,2025,20,,,,fn22
"""
