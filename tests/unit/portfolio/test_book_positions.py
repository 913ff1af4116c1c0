"""Loans valued together by the vectorised engine get the very line the one-by-one replay gives."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest
from pydantic import BaseModel

from shared.amortisation.late_interest import LateInterestPolicy
from shared.amortisation.money import CENT
from shared.amortisation.schedule import build_schedule
from shared.amortisation.terms import DayCount, LoanTerms, Method
from shared.contracts import sifo
from shared.contracts.loan_servicing import AidValuationV1
from shared.contracts.loan_terms import LoanTermsV2
from shared.eventbus.registry import type_of
from shared.platform.quarters import Quarter

from services.portfolio.domain.book import Book, Fact, fold
from services.portfolio.domain.book_positions import serviced_lines
from services.portfolio.domain.loans import Instrument, LineStatus, loan_line
from services.portfolio.domain.statement import arrears_of_lines, arrears_on, loan_lines

POLICIES = {instrument: LateInterestPolicy.over_contract_rate(Decimal("0.02")) for instrument in Instrument}
RIGHT = "d2b5e8a1-6c3f-4e7d-8a9b-0f1e2d3c4b5a"
FINANCIER = "0e9d8c7b-6a5f-4e3d-2c1b-0a9f8e7d6c5b"
ZERO = Decimal("0.00")
PAYERS = ("on time", "late", "short", "stopped", "early", "overpays", "defaulted", "reversed", "prepaid", "written off")


def _book(loans: int) -> Book:
    """SIFO loans paid out from 2021 on, each with a payer of its own, repaying until mid-2026."""
    rng = np.random.default_rng(loans)
    payloads: list[BaseModel] = [
        sifo.DrawingRightAllocatedV1(
            drawing_right_id=RIGHT,
            financier_id=FINANCIER,
            fund_year=2021,
            allocated=Decimal("900000000.00"),
            valid_from=date(2021, 1, 1),
            valid_until=date(2026, 12, 31),
        )
    ]
    for index in range(loans):
        payloads += _loan(rng, PAYERS[index % len(PAYERS)], index)
    start = datetime(2026, 7, 1, tzinfo=UTC)
    return fold(
        Fact(
            event_type=type_of(type(payload)),
            event_id=str(uuid.UUID(int=index)),
            known_at=start + timedelta(seconds=index),
            payload=payload,
        )
        for index, payload in enumerate(payloads)
    )


def _loan(rng: np.random.Generator, payer: str, index: int) -> list[BaseModel]:
    loan = str(uuid.UUID(int=10**9 + index))
    paid_out = date(2021, 1, 1) + timedelta(days=int(rng.integers(0, 1500)))
    terms = LoanTerms(
        principal=Decimal(int(rng.integers(25_000, 500_000))),
        annual_rate=Decimal(int(rng.integers(100, 600))) / 10_000,
        periods=int(rng.choice([12, 36, 60, 120])),
        start_date=paid_out,
        method=Method.LINEAR if index % 4 == 0 else Method.ANNUITY,
        day_count=list(DayCount)[index % 4],
        grace_periods=3 if index % 5 == 0 else 0,
    )
    snapshot = {
        "loan_id": loan,
        "financier_id": FINANCIER,
        "borrower_enterprise_number": "0200065765",
        "borrower_name": "De Kringwinkel Oost vzw",
        "target_group_vte": Decimal("12.50"),
        "loan_type": "investment",
        "total_credit": terms.principal * 2,
        "sifo_share": terms.principal,
        "terms": LoanTermsV2(**terms.to_json()),
        "rating": "satisfactory",
        "collateral": "normal",
        "reference_rate": Decimal("0.035"),
        "aid": AidValuationV1(
            grant_date=paid_out, gge=ZERO, reference_rate=Decimal("0.035"), discount_rate=Decimal("0.03")
        ),
    }
    payloads: list[BaseModel] = [
        sifo.LoanApprovedV2(
            **snapshot,
            approved_on=paid_out,
            approved_by="bob@pmv.example",
            drawing_right_id=RIGHT,
            reserved=terms.principal,
        ),
        sifo.LoanDisbursedV2(
            **snapshot,
            disbursed_on=paid_out,
            drawing_right_id=RIGHT,
            amount=terms.principal,
            creditor_iban="BE68539007547034",
        ),
    ]
    entry = 0
    for number, row in enumerate(build_schedule(terms).installments):
        delay = {"late": 25, "early": -9}.get(payer, 0)
        share = {"short": Decimal("0.6"), "overpays": Decimal("1.4")}.get(payer, Decimal(1))
        on = row.due_date + timedelta(days=delay)
        if on > date(2026, 6, 30) or (payer == "stopped" and number >= 7) or (payer == "prepaid" and number >= 2):
            break
        entry += 1
        payloads.append(_repayment(loan, entry, on, (row.payment * share).quantize(CENT)))
    if payer == "defaulted":
        payloads.append(
            sifo.LoanDefaultedV2(
                loan_id=loan,
                financier_id=FINANCIER,
                defaulted_on=date(2025, 1, 15),
                outstanding_principal=ZERO,
                reason="stopped paying",
                declared_by="bob@pmv.example",
            )
        )
    if payer == "reversed" and entry:
        payloads.append(
            sifo.LoanEntryReversedV1(
                loan_id=loan,
                financier_id=FINANCIER,
                entry_id=1,
                reversal_entry_id=entry + 1,
                kind="repayment",
                on=paid_out,
                amount=ZERO,
                reason="booked on the wrong loan",
                prepared_by="carol@pmv.example",
                approved_by="bob@pmv.example",
                outstanding_principal=ZERO,
            )
        )
    if payer == "prepaid":
        payloads.append(
            sifo.LoanPrepaidV2(
                loan_id=loan,
                financier_id=FINANCIER,
                entry_id=entry + 1,
                received_on=on,
                amount=Decimal("1000.00"),
                mode="reduce_term",
                outstanding_principal=ZERO,
            )
        )
    if payer == "written off":
        payloads.append(
            sifo.LoanWrittenOffV1(
                loan_id=loan,
                financier_id=FINANCIER,
                written_off_on=date(2025, 6, 30),
                amount=Decimal("1000.00"),
                reason="bankrupt",
                prepared_by="carol@pmv.example",
                approved_by="bob@pmv.example",
            )
        )
    return payloads


def _repayment(loan: str, entry_id: int, on: date, amount: Decimal) -> sifo.LoanRepaymentRecordedV3:
    return sifo.LoanRepaymentRecordedV3(
        loan_id=loan,
        financier_id=FINANCIER,
        entry_id=entry_id,
        received_on=on,
        amount=amount,
        late_interest=ZERO,
        collection_fees=ZERO,
        interest=ZERO,
        principal=ZERO,
        prepayment=ZERO,
        excess=ZERO,
        outstanding_principal=ZERO,
        status="current",
        surplus_mode="reduce_installment",
    )


BOOK = _book(120)


@pytest.mark.parametrize("quarter", [str(quarter) for quarter in Quarter.parse("2026Q2").last(8)])
def test_lines_valued_together_equal_the_replay_of_each_loan(quarter: str) -> None:
    as_of = Quarter.parse(quarter).last_day
    files = sorted(BOOK.loans.values(), key=lambda file: file.loan_id)
    valued = serviced_lines(BOOK.columns, as_of, POLICIES)
    for file in files:
        if file.loan_id in valued:
            assert valued[file.loan_id] == loan_line(file, as_of, POLICIES[file.instrument]), file.loan_id
    paid_out = [file for file in files if file.disbursed_on is not None and file.disbursed_on <= as_of]
    # everyone but the prepaid, written-off and overpaying (a surplus is a prepayment) loans
    assert len(valued) >= len(paid_out) * 0.65


def test_the_book_s_lines_mix_both_paths_in_one_order() -> None:
    as_of = date(2026, 6, 30)
    lines = loan_lines(BOOK, as_of, POLICIES)
    expected = [
        loan_line(file, as_of, POLICIES[file.instrument])
        for file in sorted(BOOK.loans.values(), key=lambda file: (file.instrument.value, file.loan_id))
    ]
    assert lines == [line for line in expected if line is not None]
    statuses = {line.status for line in lines}
    assert {LineStatus.CURRENT, LineStatus.IN_ARREARS, LineStatus.DEFAULTED, LineStatus.WRITTEN_OFF} <= statuses


@pytest.mark.parametrize("quarter", [str(quarter) for quarter in Quarter.parse("2026Q2").last(8)])
def test_the_arrears_of_a_past_quarter_are_those_of_its_lines(quarter: str) -> None:
    as_of = Quarter.parse(quarter).last_day
    lines = loan_lines(BOOK, as_of, POLICIES)
    assert arrears_on(BOOK, as_of, POLICIES) == arrears_of_lines(lines)
    assert sum(arrears_of_lines(lines).values()) > 0
