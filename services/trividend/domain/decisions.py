"""Investment decisions: a proposal is approved or rejected by the investment committee, never by its proposer."""

from __future__ import annotations

import enum


class Instrument(enum.StrEnum):
    EQUITY = "equity"
    SUBORDINATED_LOAN = "subordinated_loan"
    CONVERTIBLE_LOAN = "convertible_loan"


class ProposalStatus(enum.StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"


class DecisionStatus(enum.StrEnum):
    """A prepared exit or valuation, until another person decides it."""

    PREPARED = "prepared"
    APPROVED = "approved"
    REJECTED = "rejected"
