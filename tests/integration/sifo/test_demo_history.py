"""The demo's history: loans paid out months ago, repaid, late, short or not, through SIFO's API on a walking clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import Session, col, func, select

from deploy.demo import DemoSize
from deploy.demo_history import HistorySize, make_history
from shared.loan_operations import due_run, overdue_run, payouts
from shared.platform.database import make_engine

from services.sifo.models import SifoJobRun, SifoLoan, SifoLoanEvent, SifoOverdue, SifoPaymentRequest
from tests.support import sifo_settings, state_aid_settings

pytestmark = pytest.mark.integration

TODAY = date(2026, 6, 15)
SMALL = HistorySize(loans=10, months=3)


def test_a_history_is_paid_out_repaid_and_followed_up_day_by_day_and_made_again_adds_nothing(
    migrated_database: Callable[[str], str],
) -> None:
    sifo = sifo_settings(migrated_database("sifo"), migrate=False)
    register = state_aid_settings(migrated_database("state_aid"), migrate=False)
    report = make_history(sifo, register, TODAY, SMALL, DemoSize(financiers=2), progress=lambda _line: None)
    assert report.counts["SIFO loans with a year of history"] == 10

    engine = make_engine(sifo.effective_database_url)
    with Session(engine) as session:
        loans = session.exec(select(SifoLoan)).all()
        assert {loan.status for loan in loans} == {"disbursed"}
        assert {loan.disbursed_on for loan in loans} == {date(2026, 4, 1)}
        every_day = [date(2026, 3, 1) + timedelta(days=n) for n in range((TODAY - date(2026, 3, 1)).days)]
        for job in (payouts.PAYOUT_RUN, due_run.DUE_RUN, overdue_run.OVERDUE_RUN):
            runs = session.exec(select(SifoJobRun).where(SifoJobRun.job == job)).all()
            assert sorted(run.business_date for run in runs) == every_day, job
        requests = session.exec(select(SifoPaymentRequest)).all()
        assert {request.due_on for request in requests} >= {date(2026, 5, 1), date(2026, 6, 1)}
        events = session.exec(select(func.count()).select_from(SifoLoanEvent)).one()
        repayments = report.counts["repayments recorded"]
        assert repayments > 0
        overdue = session.exec(select(SifoOverdue.loan_id).where(col(SifoOverdue.unpaid) > Decimal(0))).all()
        stopped_and_late = {loan.id for loan in loans if loan.external_id in ("DEMO-HIST-0004", "DEMO-HIST-0007")}
        assert stopped_and_late & set(overdue), "a borrower paying late or not at all is in arrears"

    again = make_history(sifo, register, TODAY, SMALL, DemoSize(financiers=2), progress=lambda _line: None)
    assert again.counts == report.counts, "every write is answered again under its key"
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(SifoLoanEvent)).one() == events
        assert len(session.exec(select(SifoLoan)).all()) == 10
    engine.dispose()
