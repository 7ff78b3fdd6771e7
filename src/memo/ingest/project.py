"""Everything an edition is built from, loaded and checked once: the data and the config."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from memo.core.problems import DataError, Problem
from memo.core.records import Dataset, Observation, Topic
from memo.ingest.config import load_edition
from memo.ingest.dataset import check_dataset
from memo.ingest.edition import Edition


@dataclass(frozen=True)
class Project:
    """The checked data (``dataset``) and config (``edition``) of a project folder."""

    root: Path
    dataset: Dataset
    edition: Edition

    def in_topic(self, topic: Topic) -> tuple[Observation, ...]:
        """The stated figures a topic covers."""
        return tuple(
            o for o in self.dataset.observations if topic.covers(o.entity, o.counterpart, o.period)
        )


def check_project(root: Path) -> tuple[Project | None, list[Problem]]:
    """Load and check data/ and config/; the project is None when either has problems."""
    root = Path(root)
    dataset, problems = check_dataset(root)
    known = set(dataset.dictionary.indicators) if dataset else None
    span = dataset.dictionary.periods if dataset else None
    entities = set(dataset.dictionary.entities) if dataset else None
    try:
        edition = load_edition(root, known, span, entities)
    except DataError as e:
        return None, problems + e.problems
    if problems or dataset is None:
        return None, problems
    return Project(root, dataset, edition), []
