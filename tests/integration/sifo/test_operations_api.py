"""Repayment operations through SIFO's API: mandates, payouts, requests, statements in and refused, review."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sepaxml import validation
from sqlmodel import Session, func, select

from shared.loan_operations import due_run, payouts
from shared.loan_operations.jobs import run_daily
from shared.loan_operations.scheduler import catch_up

from services.sifo.jobs import JOBS
from services.sifo.models import SifoLoanEvent, SifoStatement
from tests.bank_statements import BankLine, camt053
from tests.integration.sifo.conftest import Sifo
from tests.integration.sifo.operations_book import account, clocked, financiers, template_loan

pytestmark = pytest.mark.integration

FUND = "BE68539007547034"


def _import(sifo: Sifo, document: bytes) -> Any:
    return sifo.client.post(
        "/bank-statements", headers={**sifo.backoffice, "Content-Type": "application/xml"}, content=document
    )


def _entries(sifo: Sifo) -> int:
    with Session(sifo.engine) as session:
        return session.exec(select(func.count()).select_from(SifoLoanEvent)).one()


def test_mandate_payout_collection_and_statements_through_the_api(sifo: Sifo) -> None:
    owner = financiers(sifo, 1)[0]
    loan = template_loan(sifo, owner)

    # The payout waits for the day's file; the file pays it from the fund's account and validates.
    waiting = sifo.client.get(f"/loans/{loan.id}/payment-instruction", headers=sifo.manager)
    assert waiting.status_code == 409
    assert "payout-run" in waiting.json()["detail"]
    assert JOBS[payouts.PAYOUT_RUN](sifo.settings, date(2025, 12, 1)).endswith("payout files 1, payouts 1")
    assert "already completed" in JOBS[payouts.PAYOUT_RUN](sifo.settings, date(2025, 12, 1))
    instruction = sifo.client.get(f"/loans/{loan.id}/payment-instruction", headers=sifo.manager)
    assert instruction.status_code == 200
    validation.try_valid_xml(instruction.content, "pain.001.001.09")
    assert b"<IBAN>BE68539007547034</IBAN>" in instruction.content

    # A mandate: refused when signed in the future or with a bad IBAN, then registered.
    sifo.on("2025-12-10")
    body = {"reference": "SIFO-MND-1", "signed_on": "2025-12-09", "debtor_name": "Hefboom", "debtor_iban": account(7)}
    future = sifo.client.put(
        f"/loans/{loan.id}/mandate", headers=sifo.backoffice, json={**body, "signed_on": "2025-12-11"}
    )
    assert future.status_code == 422
    assert "signed_on" in future.json()["detail"]
    bad = sifo.client.put(
        f"/loans/{loan.id}/mandate", headers=sifo.backoffice, json={**body, "debtor_iban": "BE00096500000007"}
    )
    assert bad.status_code == 422
    registered = sifo.ok("PUT", f"/loans/{loan.id}/mandate", sifo.backoffice, body)
    assert registered["revoked_on"] is None

    ops = clocked(sifo)
    report = run_daily(ops, sifo.engine, due_run.DUE_RUN, date(2026, 2, 20), due_run.run)
    assert report.counts["direct_debits"] == 1
    requests = sifo.ok("GET", f"/loans/{loan.id}/payment-requests", sifo.manager)
    first = requests[0]
    assert (first["channel"], first["sequence_type"], first["due_on"]) == ("direct_debit", "FRST", "2026-03-01")
    assert first["collection_on"] == "2026-03-02"  # 1 March 2026 is a Sunday
    assert first["printed_reference"].startswith("+++1")
    files = sifo.ok("GET", "/bank-files?kind=pain.008", sifo.backoffice)
    document = sifo.client.get(f"/bank-files/{files[0]['id']}/document", headers=sifo.backoffice)
    validation.try_valid_xml(document.content, "pain.008.001.08")
    assert b"<SeqTp>FRST</SeqTp>" in document.content

    # The collection credited: booked once, however often the statement is imported.
    entries = _entries(sifo)
    credit = BankLine(date(2026, 3, 2), Decimal(first["amount"]), end_to_end_id=first["structured_reference"])
    statement = camt053(FUND, "2026-061", date(2026, 3, 2), [credit])
    sifo.on("2026-03-03")
    imported = _import(sifo, statement)
    assert imported.status_code == 201, imported.text
    assert imported.json()["lines"] == {"booked": 1}
    again = _import(sifo, statement)
    assert again.json()["imported"] == []
    assert [row["statement_id"] for row in again.json()["already_imported"]] == ["2026-061"]
    assert _entries(sifo) == entries + 1


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda document: document.replace(FUND.encode(), account(3).encode()), "not the fund's account"),
        (lambda document: document.replace(b"camt.053.001.02", b"camt.052.001.02"), "not a bank-to-customer statement"),
        (lambda document: document[: len(document) // 2], "not well-formed XML"),
        (
            lambda document: document.replace(b"<Sts>BOOK</Sts>", b"<Sts>BOOKED</Sts>"),
            "does not follow camt.053.001.02",
        ),
        (lambda document: b"", "empty"),
    ],
    ids=["another account", "wrong namespace", "truncated", "invalid against the XSD", "empty"],
)
def test_a_malformed_or_foreign_statement_is_refused_whole_and_nothing_is_booked(
    sifo: Sifo, change: Any, reason: str
) -> None:
    owner = financiers(sifo, 1)[0]
    loan = template_loan(sifo, owner)
    ops = clocked(sifo)
    run_daily(ops, sifo.engine, due_run.DUE_RUN, date(2026, 2, 20), due_run.run)
    request = sifo.ok("GET", f"/loans/{loan.id}/payment-requests", sifo.manager)[0]
    good = camt053(
        FUND,
        "2026-060",
        date(2026, 3, 1),
        [BankLine(date(2026, 3, 1), Decimal(request["amount"]), structured_reference=request["structured_reference"])],
    )
    entries = _entries(sifo)
    refused = _import(sifo, change(good))
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert reason in refused.json()["detail"]
    assert refused.json()["errors"][0]["field"] == "document"
    assert _entries(sifo) == entries
    with Session(sifo.engine) as session:
        assert session.exec(select(func.count()).select_from(SifoStatement)).one() == 0
    assert _import(sifo, good).status_code == 201
    assert _entries(sifo) == entries + 1


def test_the_scheduler_catches_up_every_missed_day_in_order_and_never_repeats_one(sifo: Sifo) -> None:
    owner = financiers(sifo, 1)[0]
    template_loan(sifo, owner)
    ops = clocked(sifo)
    works = {due_run.DUE_RUN: due_run.run, payouts.PAYOUT_RUN: payouts.run}
    run_daily(ops, sifo.engine, due_run.DUE_RUN, date(2026, 3, 1), due_run.run)
    # 07:00 in Brussels on 4 March: the due run is three days behind, the payout run never ran.
    assert catch_up(ops, sifo.engine, works, datetime(2026, 3, 4, 6, 0, tzinfo=UTC))
    runs = sifo.ok("GET", "/job-runs?limit=50", sifo.backoffice)
    done = sorted((run["job"], run["business_date"]) for run in runs if run["status"] == "completed")
    assert done == [
        ("due-run", "2026-03-01"),
        ("due-run", "2026-03-02"),
        ("due-run", "2026-03-03"),
        ("due-run", "2026-03-04"),
        ("payout-run", "2026-03-04"),
    ]
    assert catch_up(ops, sifo.engine, works, datetime(2026, 3, 4, 8, 0, tzinfo=UTC))
    assert len(sifo.ok("GET", "/job-runs?limit=50", sifo.backoffice)) == len(runs)
