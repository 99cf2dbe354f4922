"""Loader for the element vocabulary ``elements.yaml`` (the one list of data elements)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from leakline.core.registry import UnitLoadError, UnitProblem, validate_file

ELEMENTS_FILE = Path(__file__).with_name("elements.yaml")

Category = Literal[
    "identity", "contact", "government_id", "financial", "health", "credential", "technical", "other"
]


class Element(BaseModel):
    """One data element."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    label: str
    category: Category
    sensitive: bool
    column_hints: tuple[str, ...] = ()


class Vocabulary(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    elements: dict[str, Element] = Field(min_length=1)


@cache
def load_elements(path: Path = ELEMENTS_FILE) -> dict[str, Element]:
    """Element id → Element; raises with every problem of the file (``file:line``)."""
    vocab, problems = validate_file(path, Vocabulary)
    if problems or vocab is None:
        raise UnitLoadError(problems or [UnitProblem(str(path), 1, "empty vocabulary")])
    return dict(vocab.elements)


def element_ids() -> frozenset[str]:
    """All known element ids."""
    return frozenset(load_elements())
