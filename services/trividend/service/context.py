"""What every Trividend command needs besides its session: its loan product and the state-aid register."""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.banking.credit_transfers import Debtor
from shared.contracts.topics import TRIVIDEND_EVENTS
from shared.eventbus.command import CommandContext
from shared.servicing.accounts import ProductRules
from shared.servicing.aid_register import AidRegisterClient

from services.trividend.domain.follow_up import ReportingPolicy
from services.trividend.domain.loans import LoanProduct


@dataclass(frozen=True)
class Command(CommandContext):
    topic: str = TRIVIDEND_EVENTS
    loans: LoanProduct = field(default_factory=lambda: LoanProduct(ProductRules("trividend", 120)))
    aid_client: AidRegisterClient | None = None
    debtor: Debtor = field(default_factory=lambda: Debtor("Participatiemaatschappij Vlaanderen", "BE68539007547034"))
    reporting: ReportingPolicy = field(default_factory=ReportingPolicy)
