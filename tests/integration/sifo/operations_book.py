"""A SIFO book of many disbursed loans for repayment-operations tests, and operations on the test's clock.

One loan goes the whole way through the API (submission, approval, payout decision); the others
are copies of its row with their own id, start date, amount and financier, so a test can have a
thousand live loans in seconds. Financiers are registered through the API, each with its own
account, so payments can be matched on the payer's IBAN.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from schwifty import IBAN
from sqlmodel import Session

from deploy.in_process import on_clock
from shared.loan_operations import mandates
from shared.loan_operations.lender import LenderOperations
from shared.platform.auth import Principal, Role
from shared.platform.database import transaction

from services.sifo.app import operations
from services.sifo.models import SifoLoan
from services.sifo.service.context import Command
from tests.integration.sifo.conftest import Sifo, loan_body
from tests.support import VALID_FINANCIER, enterprise_number

BACKOFFICE = Principal(subject="backoffice@pmv.example", roles=frozenset({Role.BACKOFFICE}))


def account(n: int) -> str:
    return str(IBAN.generate("BE", bank_code="096", account_code=f"{5_000_000 + n:07d}").compact)


def clocked(sifo: Sifo) -> LenderOperations[Command]:
    """SIFO's operations with every command on the test's business clock."""
    return on_clock(operations(sifo.settings), sifo.register.clock)


@dataclass(frozen=True)
class Financier:
    id: str
    name: str
    iban: str


def financiers(sifo: Sifo, count: int, first: int = 0) -> list[Financier]:
    made = []
    for n in range(first, first + count):
        body = {
            **VALID_FINANCIER,
            "enterprise_number": enterprise_number(900 + n),
            "name": f"Financier {n}",
            "recognised_from": "2025-01-01",
        }
        body["iban"] = account(n)
        created = sifo.financier(**body)
        made.append(Financier(created["id"], created["name"], body["iban"]))
    return made


def template_loan(sifo: Sifo, financier: Financier) -> SifoLoan:
    """One loan through the API, paid out; the others copy its row."""
    sifo.drawing_right(
        financier.id, amount="10000000.00", valid_from="2025-01-01", valid_until="2026-12-31", fund_year=2025
    )
    body = loan_body(
        financier.id,
        terms={"start_date": "2025-12-01", "periods": 20, "frequency": "quarterly"},
        submitted_on="2025-11-03",
    )
    sifo.on("2025-11-03")
    loan = sifo.ok("POST", "/loans", sifo.manager, body, 201)
    sifo.on("2025-11-10")
    sifo.ok("POST", f"/loans/{loan['id']}/approval", sifo.approver, {})
    decision = sifo.ok(
        "POST", f"/loans/{loan['id']}/disbursement", sifo.backoffice, {"disbursed_on": "2025-12-01"}, 201
    )
    sifo.ok("POST", f"/decisions/{decision['id']}/approval", sifo.approver)
    with Session(sifo.engine) as session:
        row = session.get(SifoLoan, loan["id"])
        assert row is not None
        return row


def copies(sifo: Sifo, template: SifoLoan, owners: list[Financier], count: int) -> list[str]:
    """`count` disbursed loans: starts spread over December 2025, amounts from 20,000 to 219,000.

    One in five pays monthly over three years, the others quarterly over five (a year of monthly
    instalments for a thousand loans would make the test slow without testing more).
    """
    ids = []
    with transaction(sifo.engine) as session:
        for n in range(count):
            start = date(2025, 12, 1) + timedelta(days=n % 28)
            share = Decimal(20_000 + (n * 7_919) % 200_000).quantize(Decimal("0.01"))
            row = SifoLoan(
                **{
                    **template.model_dump(),
                    "id": str(uuid.uuid4()),
                    "financier_id": owners[n % len(owners)].id,
                    "sifo_share": share,
                    "total_credit": share * 2,
                    "start_date": start,
                    # one loan in five pays monthly over three years, the others quarterly over five
                    "frequency": "monthly" if n % 5 == 0 else "quarterly",
                    "periods": 36 if n % 5 == 0 else 20,
                    "disbursed_on": start,
                    "borrower_name": f"Maatwerkbedrijf {n}",
                }
            )
            session.add(row)
            ids.append(row.id)
    return ids


def mandate(sifo: Sifo, ops: LenderOperations[Command], loan_id: str, n: int, iban: str) -> None:
    with transaction(sifo.engine) as session:
        mandates.register(
            ops,
            ops.command(session, BACKOFFICE),
            loan_id,
            f"SIFO-MND-{n:05d}",
            date(2025, 11, 20),
            f"Debtor {n}",
            iban,
            None,
        )
