"""Energy loans in repayment operations: the payout file, an invitation with its reference, the payment booked."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from sepaxml import validation

from shared.platform.auth import Role

from services.energy.jobs import JOBS
from tests.bank_statements import BankLine, camt053
from tests.integration.energy.conftest import Energy
from tests.integration.energy.test_servicing_api import IBAN, disbursed, loan
from tests.support import bearer

pytestmark = pytest.mark.integration


def test_an_energy_loan_is_paid_out_in_the_days_file_invited_and_its_payment_booked(energy: Energy) -> None:
    application_id = disbursed(energy)
    assert JOBS["payout-run"](energy.settings, date(2026, 1, 15)).endswith("payout files 1, payouts 1")
    [payout_file] = energy.items("/bank-files?kind=pain.001", energy.backoffice)
    document = energy.client.get(f"/bank-files/{payout_file['id']}/document", headers=energy.backoffice)
    validation.try_valid_xml(document.content, "pain.001.001.09")
    assert payout_file["total"] == "100000.00"

    assert "invitations 1" in JOBS["due-run"](energy.settings, date(2026, 2, 5))
    [request] = energy.items(f"/loans/{application_id}/payment-requests", energy.manager)
    assert (request["channel"], request["due_on"], request["structured_reference"][0]) == (
        "invitation",
        "2026-02-15",
        "2",
    )

    energy.on("2026-02-16")
    statement = camt053(
        IBAN,
        "E-2026-046",
        date(2026, 2, 15),
        [BankLine(date(2026, 2, 15), Decimal(request["amount"]), structured_reference=request["structured_reference"])],
    )
    imported = energy.client.post(
        "/bank-statements", headers={**energy.backoffice, "Content-Type": "application/xml"}, content=statement
    )
    assert imported.status_code == 201, imported.text
    assert imported.json()["lines"] == {"booked": 1}
    financier = bearer(energy.settings, "bank@example.org", Role.FINANCIER, financier_id=str(uuid.uuid4()))
    assert energy.client.get(f"/loans/{application_id}/payment-requests", headers=financier).status_code == 403
    view = loan(energy, application_id, "2026-02-16")
    assert (view["total_arrears"], view["late_interest"]) == ("0.00", "0.00")
    assert JOBS["overdue-run"](energy.settings, date(2026, 3, 1)).endswith("loans looked at 0, overdue aged 0")
    assert energy.items(f"/loans/{application_id}/payment-requests", energy.manager)[0]["status"] == "paid"
