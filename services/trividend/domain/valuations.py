"""Valuations of participations per quarter, after the IPEV valuation guidelines.

Each valuation states its fair value on a quarter's last day, the method and the rationale; it
counts once a second person approves it. A closed quarter is never rewritten: a correction is a
new valuation in an open quarter, with its reason. Within an open quarter a later approved
valuation replaces an earlier one, and must say why.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


class Method(enum.StrEnum):
    PRICE_OF_RECENT_INVESTMENT = "price_of_recent_investment"
    MULTIPLES = "multiples"
    NET_ASSETS = "net_assets"
    DISCOUNTED_CASH_FLOWS = "discounted_cash_flows"
    INDUSTRY_BENCHMARKS = "industry_benchmarks"
    IMPAIRMENT = "impairment"


@dataclass(frozen=True)
class ApprovedValuation:
    as_of: date
    fair_value: Decimal
    sequence: int
