"""The words the state-aid register and its lenders share: instruments, measure states, lender outcomes.

Kept apart from the event contracts so rule modules can use them without the event bus.
"""

from __future__ import annotations

import enum


class Instrument(enum.StrEnum):
    """Who granted the aid: one of the fund's instruments, or another provider the enterprise declared."""

    SIFO = "sifo"
    ENERGY = "energy"
    TRIVIDEND = "trividend"
    OTHER_PROVIDER = "other_provider"


class MeasureStatus(enum.StrEnum):
    RESERVED = "reserved"
    GRANTED = "granted"
    RELEASED = "released"
    EXPIRED = "expired"


class OutcomeKind(enum.StrEnum):
    """What the lender did with a reservation, in the transaction that did it."""

    GRANTED = "granted"
    ADJUSTED = "adjusted"
    RELEASED = "released"
