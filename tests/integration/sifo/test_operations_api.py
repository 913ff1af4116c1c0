"""Repayment operations through SIFO's API: mandates, payouts, requests, statements in and refused, review."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sepaxml import validation
from sqlmodel import Session, func, select

from shared.loan_operations import due_run, overdue_run, payouts
from shared.loan_operations.jobs import run_daily
from shared.loan_operations.scheduler import catch_up
from shared.platform.business_date import business_today

from services.sifo.jobs import JOBS, WORKS
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
    requests = sifo.items(f"/loans/{loan.id}/payment-requests", sifo.manager)
    first = requests[0]
    assert (first["channel"], first["sequence_type"], first["due_on"]) == ("direct_debit", "FRST", "2026-03-01")
    assert first["collection_on"] == "2026-03-02"  # 1 March 2026 is a Sunday
    assert first["printed_reference"].startswith("+++1")
    files = sifo.items("/bank-files?kind=pain.008", sifo.backoffice)
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
    request = sifo.items(f"/loans/{loan.id}/payment-requests", sifo.manager)[0]
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
    runs = sifo.items("/job-runs?limit=50", sifo.backoffice)
    done = sorted((run["job"], run["business_date"]) for run in runs if run["status"] == "completed")
    assert done == [
        ("due-run", "2026-03-01"),
        ("due-run", "2026-03-02"),
        ("due-run", "2026-03-03"),
        ("due-run", "2026-03-04"),
        ("payout-run", "2026-03-04"),
    ]
    assert catch_up(ops, sifo.engine, works, datetime(2026, 3, 4, 8, 0, tzinfo=UTC))
    assert len(sifo.items("/job-runs?limit=50", sifo.backoffice)) == len(runs)


def test_money_goes_to_the_oldest_arrears_whatever_reference_it_names_and_the_requests_follow(sifo: Sifo) -> None:
    owner = financiers(sifo, 1)[0]
    loan = template_loan(sifo, owner)  # quarterly: due 1 March, 1 June, 1 September 2026 ...
    ops = clocked(sifo)
    sifo.on("2026-02-16")
    run_daily(ops, sifo.engine, due_run.DUE_RUN, date(2026, 2, 16), due_run.run)
    sifo.on("2026-05-20")
    run_daily(ops, sifo.engine, due_run.DUE_RUN, date(2026, 5, 20), due_run.run)
    run_daily(ops, sifo.engine, overdue_run.OVERDUE_RUN, date(2026, 5, 20), overdue_run.run)
    march, june = sifo.items(f"/loans/{loan.id}/payment-requests", sifo.manager)
    assert (march["status"], june["status"]) == ("overdue", "open")
    [follow_up] = sifo.items("/overdue", sifo.backoffice)
    assert follow_up["payment_request_id"] == march["id"]

    # June's amount under June's reference pays March's late interest and March first: March still
    # lacks what the late interest took, and June is not paid at all.
    sifo.on("2026-05-22")
    line = BankLine(date(2026, 5, 21), Decimal(june["amount"]), structured_reference=june["structured_reference"])
    assert _import(sifo, camt053(FUND, "2026-141", date(2026, 5, 21), [line])).json()["lines"] == {"booked": 1}
    march, june = sifo.items(f"/loans/{loan.id}/payment-requests", sifo.manager)
    assert (march["status"], june["status"]) == ("overdue", "open")
    position = sifo.ok("GET", f"/loans/{loan.id}/position?as_of=2026-05-21", sifo.manager)["position"]
    assert Decimal("0") < Decimal(position["total_arrears"]) < Decimal(march["amount"]) / 10
    # The rest of March, then June on its due date: both paid, the follow-up closed.
    sifo.on("2026-06-02")
    rest = Decimal(position["total_arrears"]) + Decimal(position["late_interest"])
    lines = [
        BankLine(date(2026, 5, 21), rest, structured_reference=march["structured_reference"]),
        BankLine(date(2026, 6, 1), Decimal(june["amount"]), structured_reference=june["structured_reference"]),
    ]
    assert _import(sifo, camt053(FUND, "2026-152", date(2026, 6, 1), lines)).json()["lines"] == {"booked": 2}
    march, june = sifo.items(f"/loans/{loan.id}/payment-requests", sifo.manager)
    assert (march["status"], june["status"]) == ("paid", "paid")
    assert sifo.items("/overdue", sifo.backoffice) == []


def test_a_default_proposed_for_an_instalment_paid_since_is_withdrawn(sifo: Sifo) -> None:
    owner = financiers(sifo, 1)[0]
    loan = template_loan(sifo, owner)
    ops = clocked(sifo)
    sifo.on("2026-02-16")
    run_daily(ops, sifo.engine, due_run.DUE_RUN, date(2026, 2, 16), due_run.run)
    sifo.on("2026-06-01")
    run_daily(ops, sifo.engine, overdue_run.OVERDUE_RUN, date(2026, 6, 1), overdue_run.run)
    [proposal] = [row for row in sifo.items(f"/loans/{loan.id}/decisions", sifo.manager) if row["kind"] == "default"]
    assert (proposal["status"], proposal["prepared_by"]) == ("prepared", "job:sifo")

    march = sifo.items(f"/loans/{loan.id}/payment-requests", sifo.manager)[0]
    owed = sifo.ok("GET", f"/loans/{loan.id}/position?as_of=2026-06-02", sifo.manager)["position"]
    amount = Decimal(owed["total_arrears"]) + Decimal(owed["late_interest"])
    sifo.on("2026-06-03")
    line = BankLine(date(2026, 6, 2), amount, structured_reference=march["structured_reference"])
    assert _import(sifo, camt053(FUND, "2026-153", date(2026, 6, 2), [line])).json()["lines"] == {"booked": 1}
    [withdrawn] = [row for row in sifo.items(f"/loans/{loan.id}/decisions", sifo.manager) if row["kind"] == "default"]
    assert withdrawn["status"] == "rejected"
    assert "withdrawn" in withdrawn["note"]
    assert sifo.client.post(f"/decisions/{proposal['id']}/approval", headers=sifo.approver).status_code == 409
    assert sifo.ok("GET", f"/loans/{loan.id}", sifo.manager)["status"] == "disbursed"


def test_lines_that_are_not_repayments_wait_for_a_person_and_book_nothing(sifo: Sifo) -> None:
    owner = financiers(sifo, 1)[0]
    loan = template_loan(sifo, owner)
    entries = _entries(sifo)
    day = date(2026, 3, 2)
    sifo.on("2026-03-03")
    lines = [
        BankLine(day, Decimal("0.00"), counterparty_iban=owner.iban),
        BankLine(day, Decimal("125.00"), return_reason="AC04", counterparty_iban=account(55)),
        BankLine(day, Decimal("125.00"), structured_reference="100099999960"),
    ]
    assert _import(sifo, camt053(FUND, "2026-062", day, lines)).json()["lines"] == {"review": 3}
    reasons = [line["reason"] for line in sifo.items("/statement-lines?status=review", sifo.backoffice)]
    assert reasons[0].startswith("amount 0.00 is not a positive amount")
    assert reasons[1].startswith("money of ours came back (AC04)")
    assert reasons[2] == "structured reference +++100/0999/99960+++ matches no payment request of sifo"
    assert _entries(sifo) == entries
    zero = sifo.items("/statement-lines?status=review", sifo.backoffice)[0]
    refused = sifo.client.post(
        f"/statement-lines/{zero['id']}/resolution", headers=sifo.backoffice, json={"loan_id": loan.id}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "amount"
    assert _entries(sifo) == entries


def test_a_loan_paid_out_after_a_due_run_is_asked_for_by_the_later_runs(sifo: Sifo) -> None:
    owner = financiers(sifo, 1)[0]
    template_loan(sifo, owner)  # paid out on 1 December 2025
    ops = clocked(sifo)
    sifo.on("2025-11-25")
    assert run_daily(ops, sifo.engine, due_run.DUE_RUN, date(2025, 11, 25), due_run.run).counts == {
        "loans_looked_at": 1
    }
    sifo.on("2026-02-20")
    report = run_daily(ops, sifo.engine, due_run.DUE_RUN, date(2026, 2, 20), due_run.run)
    assert report.counts["invitations"] == 1


def test_the_scheduler_run_once_as_a_cronjob_catches_every_job_up_to_today_and_exits(sifo: Sifo) -> None:
    """`scheduler --once` is what the Kubernetes CronJob runs: each daily job completed for today, then exit 0."""
    finished = subprocess.run(
        [sys.executable, "-m", "services.sifo", "scheduler", "--once"],
        env=sifo.process_environment(scheduler_time="00:00"),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    runs = sifo.items("/job-runs?limit=50", sifo.backoffice)
    today = business_today().isoformat()
    assert {(run["job"], run["business_date"], run["status"]) for run in runs} == {
        (job, today, "completed") for job in WORKS
    }
