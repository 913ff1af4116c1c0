"""The book's rules without a database: quarters, arrears buckets, and a fold that ignores arrival order."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from pydantic import BaseModel

from shared.amortisation.late_interest import LateInterestPolicy
from shared.amortisation.live_loan import LiveLoan
from shared.amortisation.loan_events import Prepayment, PrepaymentMode, Repayment
from shared.amortisation.position import ArrearsLine
from shared.amortisation.terms import LoanTerms
from shared.contracts import sifo
from shared.contracts.loan_servicing import AidValuationV1
from shared.contracts.loan_terms import LoanTermsV2
from shared.eventbus.registry import type_of
from shared.platform.quarters import Quarter
from shared.platform.rules import RuleViolation
from shared.servicing.accounts import LateInterestKind, late_interest_policy

from services.portfolio.domain.book import Fact, fold
from services.portfolio.domain.drawing_rights import drawing_right_line
from services.portfolio.domain.loans import Instrument, LineStatus, arrears_by_bucket, loan_line
from services.portfolio.domain.statement import loan_lines

POLICY = LateInterestPolicy.over_contract_rate(Decimal("0.02"))
TERMS = LoanTerms(principal=Decimal("120000.00"), annual_rate=Decimal("0.035"), periods=60, start_date=date(2026, 3, 1))
LOAN = "7c1e0d2a-0b8e-4f51-9c44-2d8a3e6f1b20"
RIGHT = "d2b5e8a1-6c3f-4e7d-8a9b-0f1e2d3c4b5a"
FINANCIER = "0e9d8c7b-6a5f-4e3d-2c1b-0a9f8e7d6c5b"


def test_quarters_name_their_days_and_count_back() -> None:
    quarter = Quarter.parse("2026Q1")
    assert (quarter.first_day, quarter.last_day) == (date(2026, 1, 1), date(2026, 3, 31))
    assert Quarter.parse("2024Q4").last_day == date(2024, 12, 31)
    assert [str(q) for q in Quarter.parse("2026Q2").last(4)] == ["2025Q3", "2025Q4", "2026Q1", "2026Q2"]
    for bad in ("2026Q5", "2026-Q3", "26Q1", "1999Q4", "2026q1", "2200Q1", "9999Q4"):
        with pytest.raises(RuleViolation) as refused:
            Quarter.parse(bad)
        assert refused.value.field == "quarter"


def _line(days: int, amount: str) -> ArrearsLine:
    value = Decimal(amount)
    return ArrearsLine(
        1, date(2026, 1, 1), value, Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), value, Decimal("0.00"), days
    )


def test_arrears_fall_in_buckets_by_days_past_due_and_a_payment_due_today_is_not_late() -> None:
    lines = tuple(_line(days, "1.00") for days in (0, 1, 30, 31, 90, 91, 180, 181, 400))
    assert arrears_by_bucket(lines) == {
        "1-30": Decimal("2.00"),
        "31-90": Decimal("2.00"),
        "91-180": Decimal("2.00"),
        ">180": Decimal("2.00"),
    }


def _snapshot() -> dict[str, object]:
    return {
        "loan_id": LOAN,
        "financier_id": FINANCIER,
        "borrower_enterprise_number": "0200065765",
        "borrower_name": "De Kringwinkel Oost vzw",
        "target_group_vte": Decimal("12.50"),
        "loan_type": "investment",
        "total_credit": Decimal("180000.00"),
        "sifo_share": Decimal("120000.00"),
        "terms": LoanTermsV2(**TERMS.to_json()),
        "rating": "satisfactory",
        "collateral": "normal",
        "reference_rate": Decimal("0.035"),
        "aid": AidValuationV1(
            grant_date=date(2026, 2, 10),
            gge=Decimal("0.00"),
            reference_rate=Decimal("0.035"),
            discount_rate=Decimal("0.03"),
        ),
    }


def _facts() -> list[Fact]:
    start = datetime(2026, 11, 30, 8, tzinfo=UTC)
    payloads: list[BaseModel] = [
        sifo.DrawingRightAllocatedV1(
            drawing_right_id=RIGHT,
            financier_id=FINANCIER,
            fund_year=2026,
            allocated=Decimal("500000.00"),
            valid_from=date(2026, 1, 1),
            valid_until=date(2026, 12, 31),
        ),
        sifo.LoanApprovedV2(
            **_snapshot(),
            approved_on=date(2026, 2, 10),
            approved_by="bob@pmv.example",
            drawing_right_id=RIGHT,
            reserved=Decimal("120000.00"),
        ),
        sifo.LoanDisbursedV2(
            **_snapshot(),
            disbursed_on=date(2026, 3, 1),
            drawing_right_id=RIGHT,
            amount=Decimal("120000.00"),
            creditor_iban="BE68539007547034",
        ),
    ]
    schedule = LiveLoan(TERMS, POLICY).schedule()
    for entry_id, row in enumerate(schedule.installments[:3], start=1):
        payloads.append(_repayment(entry_id, row.due_date, row.payment))
    payloads.append(_repayment(4, date(2026, 6, 5), Decimal("999.00")))
    payloads.append(
        sifo.LoanEntryReversedV1(
            loan_id=LOAN,
            financier_id=FINANCIER,
            entry_id=4,
            reversal_entry_id=5,
            kind="repayment",
            on=date(2026, 6, 5),
            amount=Decimal("999.00"),
            reason="booked on the wrong loan",
            prepared_by="carol@pmv.example",
            approved_by="bob@pmv.example",
            outstanding_principal=Decimal("0.00"),
        )
    )
    payloads.append(
        sifo.LoanPrepaidV2(
            loan_id=LOAN,
            financier_id=FINANCIER,
            entry_id=6,
            received_on=date(2026, 6, 20),
            amount=Decimal("20000.00"),
            mode="reduce_term",
            outstanding_principal=Decimal("0.00"),
        )
    )
    return [
        Fact(
            event_type=type_of(type(payload)),
            event_id=f"{index:08d}-0000-4000-8000-000000000000",
            known_at=start + timedelta(minutes=index),
            payload=payload,
        )
        for index, payload in enumerate(payloads)
    ]


def _repayment(entry_id: int, on: date, amount: Decimal) -> sifo.LoanRepaymentRecordedV3:
    zero = Decimal("0.00")
    return sifo.LoanRepaymentRecordedV3(
        loan_id=LOAN,
        financier_id=FINANCIER,
        entry_id=entry_id,
        received_on=on,
        amount=amount,
        late_interest=zero,
        collection_fees=zero,
        interest=zero,
        principal=zero,
        prepayment=zero,
        excess=zero,
        outstanding_principal=zero,
        status="current",
        surplus_mode="reduce_installment",
    )


def test_a_loan_in_the_book_is_the_engine_s_loan_whatever_order_its_events_arrive_in() -> None:
    facts = _facts()
    schedule = LiveLoan(TERMS, POLICY).schedule()
    engine = LiveLoan(
        TERMS,
        POLICY,
        (
            *(Repayment(row.due_date, row.payment) for row in schedule.installments[:3]),
            Prepayment(date(2026, 6, 20), Decimal("20000.00"), PrepaymentMode.REDUCE_TERM),
        ),
    )
    expected = engine.position(date(2026, 9, 30))
    orders = [facts, list(reversed(facts)), facts[3:] + facts[:3], [facts[i] for i in (5, 0, 8, 2, 7, 1, 4, 3, 6)]]
    lines = []
    for order in orders:
        line = loan_line(fold(order).loans[LOAN], date(2026, 9, 30), POLICY)
        assert line is not None
        lines.append(line)
    assert all(line == lines[0] for line in lines)
    line = lines[0]
    assert (line.instrument, line.status) == (Instrument.SIFO, LineStatus.IN_ARREARS)
    assert line.outstanding_principal == expected.outstanding_principal
    assert line.accrued_interest == expected.accrued_interest
    assert line.total_arrears == expected.total_arrears
    assert line.maturity == engine.schedule(date(2026, 9, 30)).installments[-1].due_date
    assert sum(line.principal_by_year.values()) == line.outstanding_principal


def test_a_loan_waits_for_its_payout_and_is_committed_until_then() -> None:
    facts = _facts()
    without_payout = [fact for fact in facts if not isinstance(fact.payload, sifo.LoanDisbursedV2)]
    waiting = loan_line(fold(without_payout).loans[LOAN], date(2026, 9, 30), POLICY)
    assert waiting is not None
    assert (waiting.status, waiting.committed, waiting.outstanding_principal) == (
        LineStatus.COMMITTED,
        Decimal("120000.00"),
        Decimal("0.00"),
    )
    assert loan_line(fold(facts).loans[LOAN], date(2026, 2, 9), POLICY) is None


@pytest.mark.parametrize("day", [date(2026, 2, 9), date(2026, 2, 10), date(2026, 3, 1)])
def test_a_drawing_right_reserves_on_approval_and_draws_on_payout(day: date) -> None:
    book = fold(_facts())
    line = drawing_right_line(book.drawing_rights[RIGHT], book.loans.values(), day)
    assert line is not None
    reserved, drawn = {
        date(2026, 2, 9): ("0.00", "0.00"),
        date(2026, 2, 10): ("120000.00", "0.00"),
        date(2026, 3, 1): ("0.00", "120000.00"),
    }[day]
    assert (line.allocated, line.reserved, line.drawn) == (Decimal("500000.00"), Decimal(reserved), Decimal(drawn))
    assert line.available == line.allocated - line.reserved - line.drawn - line.released


def test_every_permutation_of_a_few_facts_folds_to_the_same_book() -> None:
    facts = _facts()[:5]
    reference = loan_line(fold(facts).loans[LOAN], date(2026, 12, 31), POLICY)
    for order in itertools.permutations(facts):
        assert loan_line(fold(order).loans[LOAN], date(2026, 12, 31), POLICY) == reference


def _default_and_restructure(default_first: bool) -> list[Fact]:
    facts = _facts()
    later = facts[-1].known_at
    default = sifo.LoanDefaultedV2(
        loan_id=LOAN,
        financier_id=FINANCIER,
        defaulted_on=date(2026, 9, 1),
        outstanding_principal=Decimal("90000.00"),
        reason="insolvency proceedings",
        declared_by="alice@pmv.example",
    )
    terms = LoanTerms(
        principal=Decimal("95000.00"), annual_rate=Decimal("0.02"), periods=48, start_date=date(2026, 10, 1)
    )
    restructuring = sifo.LoanRestructuredV2(
        loan_id=LOAN,
        financier_id=FINANCIER,
        entry_id=7,
        effective_on=date(2026, 10, 1),
        terms=LoanTermsV2(**terms.to_json()),
        aid=AidValuationV1(
            grant_date=date(2026, 10, 1),
            gge=Decimal("0.00"),
            reference_rate=Decimal("0.02"),
            discount_rate=Decimal("0.02"),
        ),
        prepared_by="alice@pmv.example",
        approved_by="bob@pmv.example",
    )
    first, second = (default, restructuring) if default_first else (restructuring, default)
    return [
        *facts,
        Fact(type_of(type(first)), "a0000000-0000-4000-8000-000000000000", later + timedelta(hours=1), first),
        Fact(type_of(type(second)), "b0000000-0000-4000-8000-000000000000", later + timedelta(hours=2), second),
    ]


def test_a_restructuring_recorded_after_a_default_cures_it_and_one_recorded_before_does_not() -> None:
    cured = loan_line(fold(_default_and_restructure(default_first=True)).loans[LOAN], date(2026, 12, 31), POLICY)
    still = loan_line(fold(_default_and_restructure(default_first=False)).loans[LOAN], date(2026, 12, 31), POLICY)
    before_restructuring = loan_line(fold(_default_and_restructure(True)).loans[LOAN], date(2026, 9, 15), POLICY)
    assert cured is not None
    assert still is not None
    assert before_restructuring is not None
    assert cured.status is not LineStatus.DEFAULTED
    assert still.status is LineStatus.DEFAULTED
    assert before_restructuring.status is LineStatus.DEFAULTED
    assert cured.outstanding_principal == still.outstanding_principal


def test_a_loan_the_engine_cannot_value_that_day_is_refused_naming_the_loan_not_left_out() -> None:
    legal = late_interest_policy(LateInterestKind.LEGAL, Decimal("0"))
    book = fold(_facts())
    with pytest.raises(RuleViolation) as refused:
        loan_lines(book, date(2031, 6, 30), dict.fromkeys(Instrument, legal))
    assert refused.value.field == "on"
    assert LOAN in refused.value.rule
