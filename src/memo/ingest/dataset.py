"""Load everything under ``data/`` into typed records, checking it all and keeping every problem.

``load_dataset`` reads ``data/dictionary.yaml``, ``data/sources.csv``, ``data/events.csv`` and
``data/indicators.csv``. Every check runs even after others failed, so an analyst fixes all
problems from one run. A check that depends on another file (does this source id exist?) is
skipped when that file could not be read, rather than repeating one cause on every row.
"""

from __future__ import annotations

from pathlib import Path

from memo.core.periods import DEFAULT_SPAN
from memo.core.problems import DataError, Problem
from memo.core.records import Dataset
from memo.ingest.dictionary import DICTIONARY, load_dictionary
from memo.ingest.observations import INDICATORS, load_indicators
from memo.ingest.sources import EVENTS, SOURCES, load_events, load_sources

INPUT_FILES = (DICTIONARY, SOURCES, EVENTS, INDICATORS)
# Each table may come from a spreadsheet instead (memo.ingest.sheets).
SHEET_FILES = tuple(str(Path(name).with_suffix(".xlsx")) for name in (SOURCES, EVENTS, INDICATORS))


def load_dataset(root: Path) -> Dataset:
    """Load and check everything under ``root/data``; raise DataError listing all problems."""
    dataset, problems = check_dataset(root)
    if problems or dataset is None:
        raise DataError(problems)
    return dataset


def check_dataset(root: Path) -> tuple[Dataset | None, list[Problem]]:
    """Load and check everything under ``root/data``; the dataset is None if there are problems."""
    root = Path(root)
    dictionary, problems = load_dictionary(root)
    span = dictionary.periods if dictionary else DEFAULT_SPAN
    sources, source_problems = load_sources(root, span)
    events, event_problems = load_events(root, sources, span)
    observations, indicator_problems = load_indicators(root, dictionary, sources)
    problems += source_problems + event_problems + indicator_problems
    if problems or dictionary is None or sources is None:
        return None, problems
    return Dataset(dictionary, observations, sources, events), []


def load_reference(root: Path) -> Dataset:
    """The dictionary, sources and events without the observations (a render reads the figures
    that ``memo derive`` wrote instead); raise DataError on problems."""
    root = Path(root)
    dictionary, problems = load_dictionary(root)
    span = dictionary.periods if dictionary else DEFAULT_SPAN
    sources, source_problems = load_sources(root, span)
    events, event_problems = load_events(root, sources, span)
    problems += source_problems + event_problems
    if problems or dictionary is None or sources is None:
        raise DataError(problems)
    return Dataset(dictionary, (), sources, events)
