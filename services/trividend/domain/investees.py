"""Investees: who Trividend invests in, and the figures they report over time."""

from __future__ import annotations

import enum


class LegalForm(enum.StrEnum):
    COOPERATIVE = "cooperative"
    BV = "bv"
    NV = "nv"
    VZW = "vzw"
    CV = "cv"
    COMMV = "commv"
    OTHER = "other"
