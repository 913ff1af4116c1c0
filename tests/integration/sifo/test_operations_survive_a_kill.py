"""A due run killed with SIGKILL mid-way and run again asks for every instalment and collects it exactly once."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date, timedelta
from xml.etree import ElementTree

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from shared.amortisation.schedule import build_schedule
from shared.eventbus.tables import OutboxMessage

from services.sifo.models import SifoBankFile, SifoJobRun, SifoLoan, SifoPaymentRequest
from services.sifo.service.loans import terms_of
from tests.integration.sifo.conftest import Sifo
from tests.integration.sifo.operations_book import account, clocked, copies, financiers, mandate, template_loan

pytestmark = pytest.mark.integration

RUN_DATE = date(2026, 3, 2)
LOANS = 400


def _job(sifo: Sifo, name: str, day: date) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "services.sifo", "job", name, "--date", day.isoformat()],
        env=sifo.process_environment(job_chunk_size="5"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _requests(sifo: Sifo) -> int:
    with Session(sifo.engine) as session:
        return session.exec(select(func.count()).select_from(SifoPaymentRequest)).one()


def test_a_due_run_killed_mid_way_resumes_without_asking_or_collecting_twice(sifo: Sifo) -> None:
    owners = financiers(sifo, 5)
    template = template_loan(sifo, owners[0])
    loan_ids = [template.id, *copies(sifo, template, owners, LOANS - 1)]
    ops = clocked(sifo)
    sifo.on("2026-01-05")
    for n, loan_id in enumerate(loan_ids):
        if n % 2 == 0:
            mandate(sifo, ops, loan_id, n, account(2_000 + n))

    killed = _job(sifo, "due-run", RUN_DATE)
    deadline = time.monotonic() + 120
    while _requests(sifo) < 40:
        assert killed.poll() is None, killed.stdout.read() if killed.stdout else ""
        assert time.monotonic() < deadline, "the run made no progress"
        time.sleep(0.02)
    killed.send_signal(signal.SIGKILL)
    killed.wait(30)
    asked_before = _requests(sifo)
    with Session(sifo.engine) as session:
        run = session.exec(select(SifoJobRun).where(SifoJobRun.job == "due-run")).one()
        assert run.status == "running"
        assert session.exec(select(SifoBankFile)).all() == []
    assert asked_before >= 40

    again = _job(sifo, "due-run", RUN_DATE)
    output, _ = again.communicate(timeout=600)
    assert again.returncode == 0, output.decode()

    window_end = RUN_DATE + timedelta(days=sifo.settings.collection_window_days)
    with Session(sifo.engine) as session:
        run = session.exec(select(SifoJobRun).where(SifoJobRun.job == "due-run")).one()
        assert (run.status, run.attempts) == ("completed", 2)
        requests = session.exec(select(SifoPaymentRequest)).all()
        loans = {loan.id: loan for loan in session.exec(select(SifoLoan)).all()}
        files = session.exec(select(SifoBankFile).where(SifoBankFile.kind == "pain.008")).all()
        events = session.exec(
            select(OutboxMessage).where(OutboxMessage.event_type == "sifo.loan.payment_requested.v1")
        ).all()
    assert len(requests) > asked_before
    expected = Counter(
        (loan_id, row.due_date)
        for loan_id in loan_ids
        for row in build_schedule(terms_of(loans[loan_id])).installments
        if row.due_date <= window_end
    )
    assert Counter((request.loan_id, request.due_on) for request in requests) == expected
    assert len(events) == len(requests)
    # Every direct debit in exactly one file, the day's only one.
    assert len(files) == 1
    namespace = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.08"}
    collected = Counter(
        element.text for element in ElementTree.fromstring(files[0].document).iterfind(".//p:EndToEndId", namespace)
    )
    direct_debits = {request.structured_reference for request in requests if request.channel == "direct_debit"}
    assert set(collected) == direct_debits
    assert set(collected.values()) == {1}
    assert {request.file_id for request in requests if request.channel == "direct_debit"} == {files[0].id}

    third = _job(sifo, "due-run", RUN_DATE)
    output, _ = third.communicate(timeout=120)
    assert third.returncode == 0
    assert "already completed" in output.decode()
    assert _requests(sifo) == len(requests)
