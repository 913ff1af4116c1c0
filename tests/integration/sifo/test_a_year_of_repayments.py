"""A simulated year of repayment operations for 600 SIFO loans (YEAR_TEST_LOANS), checked against a replay.

Every day: yesterday's bank statement (camt.053, written here from the payments the fixture
decides) is imported through the API, then the due run and the overdue run go. Payers pay on
time, early, late, partly, too much, not at all, without a reference, from an unknown account;
one direct debit comes back. At the end every loan's balance must equal what the amortisation
engine computes from the payments the fixture actually made, and every instalment was asked for
exactly once.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sepaxml
import xmlschema
from sqlmodel import Session, col, select

from shared.amortisation.live_loan import LiveLoan
from shared.amortisation.loan_events import PrepaymentMode, Repayment
from shared.amortisation.schedule import build_schedule
from shared.loan_operations import due_run, overdue_run, payouts
from shared.loan_operations.jobs import run_daily
from shared.servicing.accounts import late_interest_policy

from services.sifo.models import (
    SifoBankFile,
    SifoDecision,
    SifoLoan,
    SifoOverdue,
    SifoPaymentRequest,
    SifoStatementLine,
)
from services.sifo.service.loans import terms_of
from tests.bank_statements import BankLine, camt053
from tests.integration.sifo.conftest import Sifo
from tests.integration.sifo.operations_book import account, clocked, copies, financiers, mandate, template_loan

pytestmark = pytest.mark.integration

LOANS = int(os.environ.get("YEAR_TEST_LOANS", "600"))
FIRST_DAY = date(2026, 1, 1)
LAST_DAY = date.fromisoformat(os.environ.get("YEAR_TEST_LAST_DAY", "2026-12-31"))
FUND = "BE68539007547034"
UNKNOWN = account(9_999)


@dataclass
class Payer:
    """How the fixture pays one loan."""

    behaviour: str
    iban: str
    name: str
    direct_debit: bool = False


def behaviour(n: int) -> str:
    kinds = {1: "early", 2: "late", 3: "stops", 4: "partial", 5: "no_reference"}
    return kinds.get(n % 50, "on_time")


def test_a_year_of_due_and_overdue_runs_and_statements_ends_with_the_balances_an_independent_replay_gives(
    sifo: Sifo,
) -> None:
    shared_financiers = financiers(sifo, 10)
    template = template_loan(sifo, shared_financiers[0])
    general = copies(sifo, template, shared_financiers, LOANS - 1 - LOANS // 50)
    # Loans paid without a reference belong to a financier with no other loan: amount and IBAN identify them.
    own = financiers(sifo, LOANS // 50, first=100)
    alone = [copies(sifo, template, [owner], 1)[0] for owner in own]
    loan_ids = [template.id, *general, *alone]
    ops = clocked(sifo)
    sifo.on("2025-12-20")
    payers: dict[str, Payer] = {template.id: Payer("on_time", shared_financiers[0].iban, shared_financiers[0].name)}
    for n, loan_id in enumerate(general):
        kind = behaviour(n) if behaviour(n) != "no_reference" else "on_time"
        owner = shared_financiers[n % len(shared_financiers)]
        payers[loan_id] = Payer(kind, owner.iban, owner.name)
        if n % 10 < 4 and kind == "on_time":
            payers[loan_id] = Payer("on_time", account(1_000 + n), f"Debtor {n}", direct_debit=True)
            mandate(sifo, ops, loan_id, n, account(1_000 + n))
    for owner, loan_id in zip(own, alone, strict=True):
        payers[loan_id] = Payer("no_reference", owner.iban, owner.name)
    returned_loan = next(loan_id for loan_id in general if payers[loan_id].direct_debit)
    overpaid_loan = next(
        loan_id for loan_id in general if payers[loan_id].behaviour == "on_time" and not payers[loan_id].direct_debit
    )
    unknown_payer_loan = next(
        loan_id
        for loan_id in general
        if payers[loan_id].behaviour == "on_time" and not payers[loan_id].direct_debit and loan_id != overpaid_loan
    )

    engine = sifo.engine
    bank: dict[date, list[BankLine]] = defaultdict(list)
    paid: dict[str, list[tuple[date, Decimal]]] = defaultdict(list)  # what the fixture actually paid, per loan
    unknown_lines: list[tuple[str, date, Decimal]] = []
    day = FIRST_DAY
    while day <= LAST_DAY + timedelta(days=1):
        sifo.on(day.isoformat())
        yesterday = day - timedelta(days=1)
        if bank.get(yesterday):
            document = camt053(FUND, f"2026-{yesterday:%m%d}", yesterday, bank.pop(yesterday))
            response = sifo.client.post(
                "/bank-statements", headers={**sifo.backoffice, "Content-Type": "application/xml"}, content=document
            )
            assert response.status_code == 201, response.text
            _work_the_review_queue(sifo, unknown_lines, paid)
        if day > LAST_DAY:
            break
        run_daily(ops, engine, payouts.PAYOUT_RUN, day, payouts.run)
        run_daily(ops, engine, due_run.DUE_RUN, day, due_run.run)
        with Session(engine) as session:
            new = session.exec(
                select(SifoPaymentRequest)
                .where(SifoPaymentRequest.business_date == day)
                .order_by(col(SifoPaymentRequest.id))
            ).all()
        for request in new:
            payer = payers[request.loan_id]
            _decide(day, request, payer, bank, paid, unknown_lines, returned_loan, overpaid_loan, unknown_payer_loan)
        run_daily(ops, engine, overdue_run.OVERDUE_RUN, day, overdue_run.run)
        day += timedelta(days=1)

    assert unknown_lines == []
    assert sifo.items("/statement-lines?status=review", sifo.backoffice) == []

    _balances_equal_an_independent_replay(sifo, loan_ids, paid, payers)
    _every_instalment_asked_for_once(sifo, loan_ids, payers)
    _late_payers_were_followed_up(sifo, payers)
    _the_returned_collection_was_reversed(sifo, returned_loan)
    _files_validate(sifo)


def _work_the_review_queue(
    sifo: Sifo, unknown_lines: list[tuple[str, date, Decimal]], paid: dict[str, list[tuple[date, Decimal]]]
) -> None:
    """The back office books a payment from an unknown account on the loan it was meant for, the next morning."""
    queue = sifo.items("/statement-lines?status=review&limit=500", sifo.backoffice)
    for line in queue:
        owner = next(item for item in unknown_lines if item[2] == Decimal(line["amount"]))
        assert line["reason"].startswith("no structured reference"), line["reason"]
        resolved = sifo.ok("POST", f"/statement-lines/{line['id']}/resolution", sifo.backoffice, {"loan_id": owner[0]})
        assert (resolved["status"], resolved["resolved_by"]) == ("resolved", "carol@pmv.example")
        unknown_lines.remove(owner)
        paid[owner[0]].append((owner[1], owner[2]))


def _decide(
    today: date,
    request: SifoPaymentRequest,
    payer: Payer,
    bank: dict[date, list[BankLine]],
    paid: dict[str, list[tuple[date, Decimal]]],
    unknown_lines: list[tuple[str, date, Decimal]],
    returned_loan: str,
    overpaid_loan: str,
    unknown_payer_loan: str,
) -> None:
    """What the payer does about one payment request."""
    assert request.structured_reference is not None
    loan_id, due, amount, reference = request.loan_id, request.due_on, request.amount, request.structured_reference
    if payer.direct_debit:
        assert request.collection_on is not None
        on = request.collection_on
        bank[on].append(BankLine(on, amount, end_to_end_id=reference, family="DD", sub_family="ESDD"))
        if loan_id == returned_loan and request.installment_number == 4:
            back = on + timedelta(days=3)
            bank[back].append(
                BankLine(
                    back,
                    amount,
                    credit=False,
                    end_to_end_id=reference,
                    return_reason="AM04",
                    family="DD",
                    sub_family="UPDD",
                    counterparty_iban=payer.iban,
                )
            )
            return
        paid[loan_id].append((on, amount))
        return
    kind = payer.behaviour
    if kind == "stops" and request.installment_number >= 2:
        return
    # A payer acts on the invitation, so never before the day after it went out.
    on = max(
        today + timedelta(days=1), {"early": due - timedelta(days=7), "late": due + timedelta(days=25)}.get(kind, due)
    )
    if kind == "partial":
        amount = (amount * Decimal("0.6")).quantize(Decimal("0.01"))
    if loan_id == overpaid_loan and request.installment_number == 6:
        amount += Decimal("300.00")
    if loan_id == unknown_payer_loan and request.installment_number == 3:
        bank[on].append(BankLine(on, amount, counterparty_name="Someone else", counterparty_iban=UNKNOWN))
        unknown_lines.append((loan_id, on, amount))
        return
    reference_given = None if kind == "no_reference" else reference
    bank[on].append(
        BankLine(
            on, amount, structured_reference=reference_given, counterparty_name=payer.name, counterparty_iban=payer.iban
        )
    )
    paid[loan_id].append((on, amount))


def _balances_equal_an_independent_replay(
    sifo: Sifo, loan_ids: list[str], paid: dict[str, list[tuple[date, Decimal]]], payers: dict[str, Payer]
) -> None:
    policy = late_interest_policy(sifo.settings.late_interest, sifo.settings.late_interest_margin)
    with Session(sifo.engine) as session:
        loans = {loan.id: loan for loan in session.exec(select(SifoLoan).where(col(SifoLoan.id).in_(loan_ids))).all()}
    mismatches = []
    for loan_id in loan_ids:
        terms = terms_of(loans[loan_id])
        payments = sorted(paid[loan_id], key=lambda payment: payment[0])
        live = LiveLoan(
            terms, policy, tuple(Repayment(on, amount, PrepaymentMode.REDUCE_INSTALLMENT) for on, amount in payments)
        )
        expected = live.position(LAST_DAY)
        actual = sifo.ok("GET", f"/loans/{loan_id}/position?as_of={LAST_DAY.isoformat()}", sifo.manager)["position"]
        got = (
            Decimal(actual["outstanding_principal"]),
            Decimal(actual["total_arrears"]),
            Decimal(actual["late_interest"]),
        )
        want = (expected.outstanding_principal, expected.total_arrears, expected.late_interest)
        if got != want:
            mismatches.append((loan_id, payers[loan_id], got, want, payments))
    assert mismatches == []
    # And for a payer who always paid on the due date, simply the schedule's balance after the last instalment due.
    on_time = loan_ids[0]
    schedule = build_schedule(terms_of(loans[on_time]))
    last = max((row for row in schedule.installments if row.due_date <= LAST_DAY), key=lambda row: row.due_date)
    assert sifo.ok("GET", f"/loans/{on_time}/position?as_of={LAST_DAY.isoformat()}", sifo.manager)["position"][
        "outstanding_principal"
    ] == str(last.closing_balance)


def _every_instalment_asked_for_once(sifo: Sifo, loan_ids: list[str], payers: dict[str, Payer]) -> None:
    window_end = LAST_DAY + timedelta(days=sifo.settings.collection_window_days)
    with Session(sifo.engine) as session:
        rows = session.exec(select(SifoPaymentRequest)).all()
        loans = {loan.id: loan for loan in session.exec(select(SifoLoan)).all()}
    asked: dict[str, list[date]] = defaultdict(list)
    for row in rows:
        asked[row.loan_id].append(row.due_on)
    assert len({row.structured_reference for row in rows}) == len(rows)
    for loan_id in loan_ids:
        if payers[loan_id].behaviour == "stops":
            continue  # a defaulted loan is no longer invited
        due = [
            row.due_date
            for row in build_schedule(terms_of(loans[loan_id])).installments
            if FIRST_DAY <= row.due_date <= window_end
        ]
        assert sorted(asked[loan_id]) == due, loan_id


def _late_payers_were_followed_up(sifo: Sifo, payers: dict[str, Payer]) -> None:
    stopped = [loan_id for loan_id, payer in payers.items() if payer.behaviour == "stops"]
    with Session(sifo.engine) as session:
        follow_ups = session.exec(select(SifoOverdue).where(col(SifoOverdue.loan_id).in_(stopped))).all()
        proposals = session.exec(
            select(SifoDecision).where(col(SifoDecision.loan_id).in_(stopped), SifoDecision.kind == "default")
        ).all()
    oldest: dict[str, SifoOverdue] = {}
    for row in follow_ups:
        if row.loan_id not in oldest or row.due_on < oldest[row.loan_id].due_on:
            oldest[row.loan_id] = row
    assert set(oldest) == set(stopped)
    for row in oldest.values():
        assert (row.bucket, row.reminders_sent, row.paid_on) == ("90+", 3, None)
        assert row.late_interest > 0
        assert row.default_decision_id is not None
    assert {proposal.loan_id for proposal in proposals} == set(stopped)
    assert {proposal.prepared_by for proposal in proposals} == {"job:sifo"}
    # A person decides: the first proposal approved by someone else than the job defaults the loan.
    decided = sifo.ok("POST", f"/decisions/{proposals[0].id}/approval", sifo.approver)
    assert decided["status"] == "approved"
    assert sifo.ok("GET", f"/loans/{proposals[0].loan_id}", sifo.manager)["status"] == "defaulted"


def _the_returned_collection_was_reversed(sifo: Sifo, loan_id: str) -> None:
    with Session(sifo.engine) as session:
        lines = session.exec(select(SifoStatementLine).where(SifoStatementLine.loan_id == loan_id)).all()
    returned = [line for line in lines if line.status == "returned"]
    assert len(returned) == 1
    assert returned[0].reverses_line_id is not None
    history = sifo.ok("GET", f"/loans/{loan_id}/position?as_of={LAST_DAY.isoformat()}", sifo.manager)["history"]
    reversals = [entry for entry in history if entry["kind"] == "reversal"]
    assert len(reversals) == 1


def _files_validate(sifo: Sifo) -> None:
    """Every file was validated with lxml before it was stored; a sample is checked again with xmlschema.

    (A second, independent validator; it reads about a file per 0.15 s, so not all of the year's.)
    """
    with Session(sifo.engine) as session:
        files = session.exec(select(SifoBankFile).order_by(col(SifoBankFile.business_date))).all()
    kinds = {file.kind for file in files}
    assert kinds == {"pain.008", "pain.001"}
    assert len({(file.kind, file.business_date) for file in files}) == len(files)  # one file per kind and day
    sample = [*files[:4], *files[len(files) // 2 : len(files) // 2 + 4], *files[-4:]]
    schemas = {kind: _schema(name) for kind, name in (("pain.008", "pain.008.001.08"), ("pain.001", "pain.001.001.09"))}
    for file in sample:
        schemas[file.kind].validate(file.document.encode())


def _schema(name: str) -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(Path(sepaxml.__file__).parent / "schemas" / f"{name}.xsd")
