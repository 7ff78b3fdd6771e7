"""Problems found in the files an analyst edits, and the exception that carries them.

A problem prints like a compiler message, ``data/indicators.csv:17: value: "about 50" is not a
number (write 50 and put "about" in note)``, so that editors and terminals can jump to the line.
It prints on one line, with any character a terminal could act on escaped visibly (``\\x1b``):
a message quotes the data, and the data may hold anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from memo.core.text import printable


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one place: file, editor line (1-based, header = 1), column or key; in a
    spreadsheet, ``cell`` names the sheet and cell (``Sheet1!C12``) and prints instead of the line."""

    path: str
    line: int
    column: str
    problem: str
    hint: str = ""
    cell: str = ""

    def __str__(self) -> str:
        where = f"{self.path}:{self.cell or self.line}: "
        what = f"{self.column}: {self.problem}" if self.column else self.problem
        return printable(where + what + (f" ({self.hint})" if self.hint else ""))


def format_problems(problems: Iterable[Problem]) -> str:
    """Format problems one per line, sorted by path then line."""
    # sorted() is stable, so problems on the same line keep the order the checks found them in.
    return "\n".join(str(p) for p in sorted(problems, key=lambda p: (p.path, p.line)))


class DataError(Exception):
    """The inputs have problems; ``problems`` lists all of them, not just the first."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__(format_problems(self.problems))
