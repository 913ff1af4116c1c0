"""A year of SIFO and energy activity (2026) driven through their APIs, and what the test expects of it.

Every loan pays its first `paid` installments exactly on their due dates and nothing after, so
the test can work out each quarter's figures on its own: outstanding principal from the lender's
original schedule, arrears per bucket from the unpaid installments' due dates. Accrued interest
is taken from the lender's own position endpoint (another service, its own database).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from tests.integration.energy.conftest import Energy
from tests.integration.sifo.conftest import Sifo, loan_body
from tests.support import enterprise_number

ZERO = Decimal("0.00")
QUARTER_ENDS = {
    "2026Q1": date(2026, 3, 31),
    "2026Q2": date(2026, 6, 30),
    "2026Q3": date(2026, 9, 30),
    "2026Q4": date(2026, 12, 31),
}


@dataclass
class Loan:
    """One loan of the scenario and what the test knows of it."""

    instrument: str
    loan_id: str
    enterprise_number: str
    committed: Decimal
    approved_on: date
    disbursed_on: date | None = None
    disbursed: Decimal = ZERO
    cancelled_on: date | None = None
    vte: Decimal | None = None
    schedule: list[dict[str, Any]] = field(default_factory=list)
    paid: int = 0

    def in_book(self, day: date) -> bool:
        if self.disbursed_on is not None and self.disbursed_on <= day:
            return True
        return self.approved_on <= day and not (self.cancelled_on is not None and self.cancelled_on <= day)

    def paid_out(self, day: date) -> bool:
        return self.disbursed_on is not None and self.disbursed_on <= day

    def outstanding(self, day: date) -> Decimal:
        if not self.paid_out(day):
            return ZERO
        repaid = sum(
            (
                Decimal(row["principal"])
                for row in self.schedule[: self.paid]
                if date.fromisoformat(row["due_date"]) <= day
            ),
            ZERO,
        )
        return self.disbursed - repaid

    def arrears(self, day: date) -> dict[str, Decimal]:
        buckets = {"1-30": ZERO, "31-90": ZERO, "91-180": ZERO, ">180": ZERO}
        if not self.paid_out(day):
            return buckets
        for row in self.schedule[self.paid :]:
            due = date.fromisoformat(row["due_date"])
            late = (day - due).days
            if late <= 0:
                continue
            name = "1-30" if late <= 30 else "31-90" if late <= 90 else "91-180" if late <= 180 else ">180"
            buckets[name] += Decimal(row["payment"])
        return buckets


@dataclass
class Year:
    sifo: list[Loan]
    energy: list[Loan]
    drawing_right_id: str
    financier_id: str

    @property
    def loans(self) -> list[Loan]:
        return [*self.sifo, *self.energy]


def _sifo_loan(
    sifo: Sifo,
    financier_id: str,
    n: int,
    share: str,
    approved_on: str,
    start: str,
    vte: str,
    *,
    aid: bool = False,
) -> Loan:
    sifo.on(approved_on)
    change: dict[str, Any] = {}
    if aid:
        change["rate_override"] = {"rate": "0.01", "reason": "start-up in a new sector"}
    body = loan_body(
        financier_id,
        borrower={
            "enterprise_number": enterprise_number(n),
            "name": f"Sociale onderneming {n} vzw",
            "target_group_vte": vte,
        },
        total_credit=str(Decimal(share) * 2),
        sifo_share=share,
        terms={"start_date": start, "periods": 84},
        submitted_on=approved_on,
        **change,
    )
    loan = sifo.ok("POST", "/loans", sifo.manager, body, 201)
    sifo.ok("POST", f"/loans/{loan['id']}/approval", sifo.approver, {})
    return Loan(
        "sifo", loan["id"], enterprise_number(n), Decimal(share), date.fromisoformat(approved_on), vte=Decimal(vte)
    )


def _sifo_payout(sifo: Sifo, loan: Loan, on: str) -> None:
    sifo.on(on)
    decision = sifo.ok("POST", f"/loans/{loan.loan_id}/disbursement", sifo.backoffice, {"disbursed_on": on}, 201)
    sifo.ok("POST", f"/decisions/{decision['id']}/approval", sifo.approver)
    view = sifo.ok("GET", f"/loans/{loan.loan_id}/position?as_of={on}", sifo.manager)
    loan.disbursed_on, loan.disbursed, loan.schedule = date.fromisoformat(on), loan.committed, view["schedule"]


def _energy_application(energy: Energy, call: dict[str, Any], n: int, amount: str, approved_on: str) -> Loan:
    energy.on(approved_on)
    applicant = energy.applicant(n)
    body = energy.application_body(call, applicant, requested_amount=amount, submitted_on=approved_on)
    body["installations"][0].update(investment_cost=amount)
    application = energy.ok("POST", "/applications", energy.manager, body, 201)
    energy.ok("POST", f"/applications/{application['id']}/approval", energy.approver, {})
    return Loan(
        "energy", application["id"], applicant["enterprise_number"], Decimal(amount), date.fromisoformat(approved_on)
    )


def _energy_payout(energy: Energy, loan: Loan, on: str, amount: str) -> None:
    energy.on(on)
    decision = energy.ok(
        "POST",
        f"/applications/{loan.loan_id}/disbursement",
        energy.backoffice,
        {"delivery_date": on, "final_invoice_amount": amount, "disbursed_on": on, "iban": "BE68 5390 0754 7034"},
        201,
    )
    energy.ok("POST", f"/decisions/{decision['id']}/approval", energy.approver)
    view = energy.ok("GET", f"/applications/{loan.loan_id}/loan?as_of={on}", energy.manager)
    loan.disbursed_on, loan.disbursed, loan.schedule = date.fromisoformat(on), Decimal(amount), view["schedule"]


def _pay(client: Sifo | Energy, loan: Loan, url: str, until: date) -> None:
    for row in loan.schedule:
        due = date.fromisoformat(row["due_date"])
        if due > until:
            break
        client.on(row["due_date"])
        client.ok("POST", url, client.backoffice, {"received_on": row["due_date"], "amount": row["payment"]}, 201)
        loan.paid += 1


def drive_a_year(sifo: Sifo, energy: Energy) -> Year:
    """Six loans and applications over 2026; the clock ends on 4 January 2027."""
    sifo.on("2026-01-05")
    financier = sifo.financier(recognised_from="2025-01-01")
    right = sifo.drawing_right(financier["id"], amount="2000000.00")
    energy.budget_year()
    call = energy.call(annual_rate="0.01", term_months=120)

    steady = _sifo_loan(sifo, financier["id"], 11, "200000.00", "2026-01-20", "2026-02-01", "12.50", aid=True)
    _sifo_payout(sifo, steady, "2026-02-01")
    stops = _sifo_loan(sifo, financier["id"], 12, "120000.00", "2026-02-10", "2026-03-01", "8.00")
    _sifo_payout(sifo, stops, "2026-03-01")
    withdrawn = _sifo_loan(sifo, financier["id"], 13, "80000.00", "2026-04-10", "2026-05-01", "3.00")
    sifo.on("2026-05-10")
    cancellation = sifo.ok(
        "POST",
        f"/loans/{withdrawn.loan_id}/cancellation",
        sifo.backoffice,
        {"cancelled_on": "2026-05-10", "reason": "the borrower found other financing"},
        201,
    )
    sifo.ok("POST", f"/decisions/{cancellation['id']}/approval", sifo.approver)
    withdrawn.cancelled_on = date(2026, 5, 10)
    pending = _sifo_loan(sifo, financier["id"], 14, "60000.00", "2026-08-20", "2026-10-01", "4.00")

    solar = _energy_application(energy, call, 1, "100000.00", "2026-03-15")
    _energy_payout(energy, solar, "2026-05-01", "92000.00")
    unpaid = _energy_application(energy, call, 2, "50000.00", "2026-06-01")
    _energy_payout(energy, unpaid, "2026-07-01", "50000.00")
    waiting = _energy_application(energy, call, 3, "40000.00", "2026-10-05")

    _pay(sifo, steady, f"/loans/{steady.loan_id}/repayments", date(2026, 12, 31))
    _pay(sifo, stops, f"/loans/{stops.loan_id}/repayments", date(2026, 6, 1))
    _pay(energy, solar, f"/applications/{solar.loan_id}/loan/repayments", date(2026, 12, 31))
    sifo.on("2027-01-04")
    sifo.deliver_aid()
    energy.deliver_aid()
    return Year(
        sifo=[steady, stops, withdrawn, pending],
        energy=[solar, unpaid, waiting],
        drawing_right_id=right["id"],
        financier_id=financier["id"],
    )
