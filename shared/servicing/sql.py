"""The servicing unit of work on a service's own tables, inside the service's command transaction.

A service supplies its table classes (built on `tables`), an `AccountStore` that reads and writes
the servicing state on its own loan rows, and an aid register. Entries, decisions and events are
written in the command's session, so they commit or roll back with everything else the command
did, outbox rows included.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Generic, Protocol, TypeVar

from pydantic import BaseModel
from sqlmodel import Session, SQLModel, col, select

from shared.amortisation.reference_rates import Collateral, Rating
from shared.amortisation.terms import LoanTerms
from shared.contracts.state_aid import AidCarried, Instrument
from shared.eventbus.command import CommandContext
from shared.eventbus.registry import envelope_for
from shared.platform.database import get_for_update
from shared.platform.rules import NotFound
from shared.servicing.accounts import LoanAccount, LoanStatus, ProductRules
from shared.servicing.aid_register import grant_reference
from shared.servicing.decisions import Decision, DecisionKind, DecisionStatus, parse_request
from shared.servicing.entries import EntryKind, LedgerEntry
from shared.servicing.events import ServicingEvents
from shared.servicing.ports import AidRegister
from shared.servicing.service import DecisionHandler, Product, approve, reject
from shared.servicing.tables import AidMeasureColumns, DecisionColumns, LoanEntryColumns

Row = TypeVar("Row", bound=SQLModel)


class AccountStore(Protocol):
    """Maps a service's loan row to the core's `LoanAccount` and back."""

    def load(self, session: Session, loan_id: str, lock: bool) -> LoanAccount: ...

    def save(self, session: Session, account: LoanAccount) -> None: ...


SERVICING_STATE = ("defaulted_on", "settled_on", "written_off_on", "written_off_amount", "status_reason")
"""The columns of a loan row the core changes, besides `status`; every lender's loan table has them."""


@dataclass(frozen=True)
class Particulars:
    """What a service knows of a loan beyond the servicing state: its contract, borrower and risk."""

    terms: LoanTerms
    enterprise_number: str
    rating: Rating
    collateral: Collateral
    disbursed_on: date | None
    parties: Mapping[str, str] = field(default_factory=dict)


class RowAccounts(Generic[Row]):
    """An `AccountStore` over a loan table with an ``id``, a ``status`` and the `SERVICING_STATE` columns."""

    def __init__(self, model: type[Row], particulars: Callable[[Session, Row], Particulars]) -> None:
        self.model = model
        self.particulars = particulars

    def row(self, session: Session, loan_id: str, lock: bool) -> Row:
        row = get_for_update(session, self.model, loan_id, "loan") if lock else session.get(self.model, loan_id)
        if row is None:
            raise NotFound("loan", loan_id)
        return row

    def load(self, session: Session, loan_id: str, lock: bool) -> LoanAccount:
        row = self.row(session, loan_id, lock)
        known = self.particulars(session, row)
        return LoanAccount(
            id=loan_id,
            status=LoanStatus(getattr(row, "status")),  # noqa: B009 - any loan table's column
            terms=known.terms,
            enterprise_number=known.enterprise_number,
            rating=known.rating,
            collateral=known.collateral,
            disbursed_on=known.disbursed_on,
            parties=known.parties,
            **{name: getattr(row, name) for name in SERVICING_STATE},
        )

    def save(self, session: Session, account: LoanAccount) -> None:
        row = self.row(session, account.id, lock=False)
        setattr(row, "status", account.status.value)  # noqa: B010 - any loan table's column
        for name in SERVICING_STATE:
            setattr(row, name, getattr(account, name))
        session.add(row)


@dataclass(frozen=True)
class ServicingTables:
    entry: type[LoanEntryColumns]
    decision: type[DecisionColumns]


def entry_of(row: LoanEntryColumns) -> LedgerEntry:
    return LedgerEntry(
        kind=EntryKind(row.kind),
        on=row.on,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
        id=row.id,
        amount=row.amount,
        mode=row.mode,
        annual_rate=row.annual_rate,
        terms=LoanTerms.from_json(json.loads(row.terms)) if row.terms else None,
        reverses=row.reverses,
        decision_id=row.decision_id,
        reason=row.reason,
    )


def decision_of(row: DecisionColumns) -> Decision:
    kind = DecisionKind(row.kind)
    return Decision(
        id=row.id,
        loan_id=row.loan_id,
        request=parse_request(kind, json.loads(row.payload)),
        status=DecisionStatus(row.status),
        prepared_by=row.prepared_by,
        prepared_at=row.prepared_at,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        note=row.note,
    )


class SqlServicing:
    """`ServicingUnitOfWork` on the command's session."""

    def __init__(
        self, command: CommandContext, tables: ServicingTables, accounts: AccountStore, aid: AidRegister
    ) -> None:
        self.command = command
        self.session = command.session
        self.tables = tables
        self.accounts = accounts
        self._aid = aid

    @property
    def actor(self) -> str:
        return self.command.actor

    @property
    def now(self) -> datetime:
        return self.command.now

    @property
    def today(self) -> date:
        return self.command.today

    @property
    def aid(self) -> AidRegister:
        return self._aid

    def account(self, loan_id: str, *, lock: bool = False) -> LoanAccount:
        return self.accounts.load(self.session, loan_id, lock)

    def save(self, account: LoanAccount) -> None:
        self.accounts.save(self.session, account)

    def entries(self, loan_id: str) -> list[LedgerEntry]:
        table = self.tables.entry
        rows = self.session.exec(select(table).where(table.loan_id == loan_id).order_by(col(table.id))).all()
        return [entry_of(row) for row in rows]

    def add_entry(self, loan_id: str, entry: LedgerEntry) -> LedgerEntry:
        row = self.tables.entry(
            loan_id=loan_id,
            kind=entry.kind.value,
            on=entry.on,
            amount=entry.amount,
            mode=entry.mode,
            annual_rate=entry.annual_rate,
            terms=json.dumps(entry.terms.to_json(), sort_keys=True) if entry.terms else None,
            reverses=entry.reverses,
            decision_id=entry.decision_id,
            reason=entry.reason,
            recorded_by=entry.recorded_by,
            recorded_at=entry.recorded_at,
        )
        self.session.add(row)
        self.session.flush()
        return entry_of(row)

    def _decision_row(self, decision_id: str, lock: bool) -> DecisionColumns:
        table = self.tables.decision
        query = select(table).where(table.id == decision_id)
        row = self.session.exec(query.with_for_update() if lock else query).first()
        if row is None:
            raise NotFound("decision", decision_id)
        return row

    def decision(self, decision_id: str, *, lock: bool = False) -> Decision:
        return decision_of(self._decision_row(decision_id, lock))

    def decisions(self, loan_id: str) -> list[Decision]:
        table = self.tables.decision
        rows = self.session.exec(
            select(table).where(table.loan_id == loan_id).order_by(col(table.prepared_at), col(table.id))
        ).all()
        return [decision_of(row) for row in rows]

    def pending(self, loan_id: str, kind: DecisionKind) -> list[Decision]:
        table = self.tables.decision
        rows = self.session.exec(
            select(table).where(
                table.loan_id == loan_id, table.kind == kind.value, table.status == DecisionStatus.PREPARED.value
            )
        ).all()
        return [decision_of(row) for row in rows]

    def add_decision(self, decision: Decision) -> None:
        self.session.add(
            self.tables.decision(
                id=decision.id,
                loan_id=decision.loan_id,
                kind=decision.kind.value,
                payload=json.dumps(decision.request.to_json(), sort_keys=True),
                status=decision.status.value,
                prepared_by=decision.prepared_by,
                prepared_at=decision.prepared_at,
            )
        )
        self.session.flush()

    def save_decision(self, decision: Decision) -> None:
        row = self._decision_row(decision.id, lock=False)
        row.status = decision.status.value
        row.decided_by = decision.decided_by
        row.decided_at = decision.decided_at
        row.note = decision.note
        self.session.add(row)

    def publish(self, subject: str, source: str, payload: BaseModel) -> None:
        self.command.publish(envelope_for(payload, source=source, subject=subject))


Command = TypeVar("Command", bound=CommandContext)
ServiceHandler = Callable[[Command, Decision], None]


@dataclass(frozen=True)
class Lender(Generic[Command]):
    """A lending service plugged into the core: its tables, loan rows, aid register, event types and rules.

    Each service builds one and runs every servicing command through it; `disburse` and `cancel`
    are the decisions only the service can execute (they move its drawing rights or budget).
    """

    tables: ServicingTables
    accounts: AccountStore
    events: ServicingEvents
    aid_register: Callable[[Command], AidRegister]
    rules: Callable[[Command], ProductRules]

    def unit_of_work(self, command: Command) -> SqlServicing:
        return SqlServicing(command, self.tables, self.accounts, self.aid_register(command))

    def product(self, command: Command) -> Product:
        return Product(self.rules(command), self.events)

    def on(self, command: Command, loan_id: str) -> tuple[SqlServicing, Product, str]:
        """The first three arguments of every use case in `shared.servicing.service`, for one loan."""
        return self.unit_of_work(command), self.product(command), loan_id

    def approve(
        self,
        command: Command,
        decision_id: str,
        disburse: ServiceHandler[Command],
        cancel: ServiceHandler[Command],
    ) -> Decision:
        handlers: dict[DecisionKind, DecisionHandler] = {
            DecisionKind.DISBURSEMENT: lambda decision: disburse(command, decision),
            DecisionKind.CANCELLATION: lambda decision: cancel(command, decision),
        }
        return approve(self.unit_of_work(command), self.product(command), decision_id, handlers)

    def reject(self, command: Command, decision_id: str, reason: str | None) -> Decision:
        return reject(self.unit_of_work(command), decision_id, reason)


LEGACY_ACTIVE = ("reserved", "granted")


class StatusRow(Protocol):
    status: str


def carry_legacy_aid(
    session: Session,
    table: type[AidMeasureColumns],
    instrument: Instrument,
    loans: type[StatusRow],
    gone: Collection[str],
    publish: Callable[[str, AidCarried], None],
) -> int:
    """Carry a service's own aid measures (from before the state-aid register) over, once.

    Each live measure of a loan (a row of `loans`) whose status is not in `gone` is published as an
    `AidCarried` event (the register records it as granted) and marked ``carried``; one of a loan
    cancelled since is marked ``released``. Running it again finds nothing left to carry. Returns
    how many were carried.
    """

    def stands(loan_id: str) -> bool:
        loan = session.get(loans, loan_id)
        return loan is not None and loan.status not in gone

    rows = session.exec(
        select(table).where(col(table.status).in_(LEGACY_ACTIVE)).order_by(col(table.id)).with_for_update()
    ).all()
    carried = 0
    for row in rows:
        if stands(row.loan_id):
            measure = "grant" if row.measure == "grant" else f"{row.measure}:{row.source_reference}"
            payload = AidCarried(
                reference=grant_reference(instrument, row.loan_id, measure),
                enterprise_number=row.enterprise_number,
                source_reference=row.loan_id,
                grant_date=row.grant_date,
                gge=row.gge,
                reference_rate=row.reference_rate,
                discount_rate=row.discount_rate,
            )
            publish(row.loan_id, payload)
            row.status = "carried"
            carried += 1
        else:
            row.status = "released"
        session.add(row)
    return carried
