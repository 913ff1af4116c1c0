"""An in-memory unit of work: the servicing rules tested without a database.

`InMemoryStore` holds accounts, entries, decisions, aid measures and published events. Each
`unit_of_work()` works on a copy and commits it only when the block ends without an exception, so
a refused command leaves the store exactly as it was: the same all-or-nothing the database gives.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

from pydantic import BaseModel

from shared.amortisation.state_aid import AidGrant, DeMinimisExceeded, check_new_grant
from shared.platform.business_date import business_date
from shared.platform.rules import Conflict, NotFound
from shared.servicing.accounts import LoanAccount
from shared.servicing.aid import AidValuation
from shared.servicing.decisions import Decision, DecisionKind, DecisionStatus
from shared.servicing.entries import LedgerEntry


@dataclass(frozen=True)
class AidMeasure:
    loan_id: str
    enterprise_number: str
    valuation: AidValuation
    measure: str
    source_reference: str


@dataclass(frozen=True)
class Published:
    subject: str
    source: str
    payload: BaseModel


@dataclass
class StoreState:
    accounts: dict[str, LoanAccount] = field(default_factory=dict)
    entries: dict[str, list[LedgerEntry]] = field(default_factory=dict)
    decisions: dict[str, Decision] = field(default_factory=dict)
    aid: list[AidMeasure] = field(default_factory=list)
    events: list[Published] = field(default_factory=list)
    next_entry_id: int = 1


class InMemoryAidRegister:
    """The de minimis check of the engine over the measures in the store."""

    def __init__(self, state: StoreState) -> None:
        self.state = state

    def register(self, account: LoanAccount, valuation: AidValuation, measure: str, source_reference: str) -> None:
        grants = [
            AidGrant(row.enterprise_number, row.valuation.grant_date, row.valuation.gge)
            for row in self.state.aid
            if row.enterprise_number == account.enterprise_number
        ]
        try:
            check_new_grant(grants, AidGrant(account.enterprise_number, valuation.grant_date, valuation.gge))
        except DeMinimisExceeded as exc:
            raise Conflict(exc.rule, available=str(exc.headroom.available)) from None
        self.state.aid.append(AidMeasure(account.id, account.enterprise_number, valuation, measure, source_reference))


class InMemoryServicing:
    """`ServicingUnitOfWork` over a `StoreState` copy."""

    def __init__(self, state: StoreState, actor: str, clock: Callable[[], datetime]) -> None:
        self.state = state
        self._actor = actor
        self._clock = clock
        self._aid = InMemoryAidRegister(state)

    @property
    def actor(self) -> str:
        return self._actor

    @property
    def now(self) -> datetime:
        return self._clock()

    @property
    def today(self) -> date:
        return business_date(self._clock())

    @property
    def aid(self) -> InMemoryAidRegister:
        return self._aid

    def account(self, loan_id: str, *, lock: bool = False) -> LoanAccount:
        try:
            return self.state.accounts[loan_id]
        except KeyError:
            raise NotFound("loan", loan_id) from None

    def save(self, account: LoanAccount) -> None:
        self.state.accounts[account.id] = account

    def entries(self, loan_id: str) -> list[LedgerEntry]:
        return list(self.state.entries.get(loan_id, []))

    def add_entry(self, loan_id: str, entry: LedgerEntry) -> LedgerEntry:
        stored = replace(entry, id=self.state.next_entry_id)
        self.state.next_entry_id += 1
        self.state.entries.setdefault(loan_id, []).append(stored)
        return stored

    def decision(self, decision_id: str, *, lock: bool = False) -> Decision:
        try:
            return self.state.decisions[decision_id]
        except KeyError:
            raise NotFound("decision", decision_id) from None

    def decisions(self, loan_id: str) -> list[Decision]:
        return [decision for decision in self.state.decisions.values() if decision.loan_id == loan_id]

    def pending(self, loan_id: str, kind: DecisionKind) -> list[Decision]:
        return [
            decision
            for decision in self.decisions(loan_id)
            if decision.kind is kind and decision.status is DecisionStatus.PREPARED
        ]

    def add_decision(self, decision: Decision) -> None:
        self.state.decisions[decision.id] = decision

    def save_decision(self, decision: Decision) -> None:
        self.state.decisions[decision.id] = decision

    def publish(self, subject: str, source: str, payload: BaseModel) -> None:
        self.state.events.append(Published(subject, source, payload))


class InMemoryStore:
    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.state = StoreState()
        self.clock = clock

    def open(self, account: LoanAccount) -> None:
        """Put a disbursed loan into the store (what a service's disbursement does)."""
        self.state.accounts[account.id] = account

    @contextmanager
    def unit_of_work(self, actor: str) -> Iterator[InMemoryServicing]:
        working = copy.deepcopy(self.state)
        yield InMemoryServicing(working, actor, self.clock)
        self.state = working
