"""What the servicing use cases need from the world: a unit of work over one transaction.

`service` is written against these protocols only; `fake.InMemoryServicing` keeps everything in
dictionaries (the rules are tested in milliseconds) and `sql.SqlServicing` keeps it in a service's
own tables, written in the caller's transaction together with the outbox events. The same test
suite runs against both.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from pydantic import BaseModel

from shared.servicing.accounts import LoanAccount
from shared.servicing.aid import AidValuation
from shared.servicing.decisions import Decision, DecisionKind
from shared.servicing.entries import LedgerEntry


class AidRegister(Protocol):
    def register(self, account: LoanAccount, valuation: AidValuation, measure: str, source_reference: str) -> None:
        """Record a granted aid measure for the loan's undertaking; Conflict (409) when the ceiling would be passed."""


class ServicingUnitOfWork(Protocol):
    @property
    def actor(self) -> str: ...

    @property
    def now(self) -> datetime: ...

    @property
    def today(self) -> date: ...

    @property
    def aid(self) -> AidRegister: ...

    def account(self, loan_id: str, *, lock: bool = False) -> LoanAccount:
        """The loan's servicing state (NotFound when it has none); `lock` holds it until the transaction ends."""

    def save(self, account: LoanAccount) -> None: ...

    def entries(self, loan_id: str) -> list[LedgerEntry]:
        """The loan's history in recorded order."""

    def add_entry(self, loan_id: str, entry: LedgerEntry) -> LedgerEntry:
        """Store `entry`; the returned copy carries its id."""

    def decision(self, decision_id: str, *, lock: bool = False) -> Decision: ...

    def decisions(self, loan_id: str) -> list[Decision]:
        """The loan's decisions in the order they were prepared."""

    def pending(self, loan_id: str, kind: DecisionKind) -> list[Decision]: ...

    def add_decision(self, decision: Decision) -> None: ...

    def save_decision(self, decision: Decision) -> None: ...

    def publish(self, subject: str, source: str, payload: BaseModel) -> None:
        """Stage an event keyed by `subject`; it leaves only if the unit of work commits."""
