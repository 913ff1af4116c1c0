"""Investees: who Trividend invests in, and the figures they report over time."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date
from typing import TypeVar

T = TypeVar("T")


class LegalForm(enum.StrEnum):
    COOPERATIVE = "cooperative"
    BV = "bv"
    NV = "nv"
    VZW = "vzw"
    CV = "cv"
    COMMV = "commv"
    OTHER = "other"


def in_force(series: Sequence[tuple[date, T]], on: date) -> T | None:
    """The value of a dated series on `on`: the latest one reported on or before it."""
    found: T | None = None
    for day, value in sorted(series, key=lambda item: item[0]):
        if day > on:
            break
        found = value
    return found
