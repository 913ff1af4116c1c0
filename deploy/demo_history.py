"""A year of SIFO repayments for the demo: loans paid out a year ago, repaid on time, late, in part, or not.

The services date every approval, payout and payment on their business date, so a history cannot
be written into a running stack. It is made before the stack's processes start, inside this
process: the state-aid register and SIFO are served here, over loopback HTTP, on one
`BusinessClock`, which walks from the first day of the month thirteen months back to yesterday.
Everything a person does goes through SIFO's public API with the `sefund` client, as the people
of `deploy.demo` (submission, approval, payout decision, the back office recording money
received); each day the payout, due and overdue runs go as the scheduler runs them. The events
wait in SIFO's outbox: once the stack is up, the relay publishes them and the portfolio books
them, so the last quarter's export has a year in it.

How borrowers pay (by loan number): most on the due date; every tenth pays three weeks late;
every tenth from the fourth instalment pays 60 %; and every tenth stops after its sixth
instalment, so it falls into arrears, is reminded, and reaches the default threshold, where a
default decision waits for an approver. Every write has its own Idempotency-Key and every run is
recorded per day, so a history that was interrupted is finished by making it again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from fastapi import FastAPI

from deploy.demo import DemoReport, DemoSize, Loading, enterprise_number, money, people
from deploy.in_process import BusinessClock, ThreadedServer, on_clock
from sefund.client import JsonObject, Sifo, connect
from shared.loan_operations import due_run, overdue_run, payouts
from shared.loan_operations.jobs import run_daily

from services.sifo.app import SifoSettings, operations
from services.sifo.app import build_app as build_sifo
from services.state_aid.app import StateAidSettings
from services.state_aid.app import build_app as build_register

HISTORY_PREFIX = "DEMO-HIST-"


class HistoryStopped(Exception):
    """The history was asked to stop; what was made is kept."""


@dataclass(frozen=True)
class HistorySize:
    loans: int = 40
    months: int = 13


@dataclass(frozen=True)
class Payment:
    loan_id: str
    amount: Decimal
    key: str


def behaviour(n: int) -> str:
    return {3: "stops", 6: "late", 8: "partial"}.get(n % 10, "on_time")


@contextmanager
def served_on(clock: BusinessClock, sifo: SifoSettings, register: StateAidSettings) -> Iterator[tuple[FastAPI, str]]:
    """SIFO and its register served in this process over loopback HTTP, both on `clock`; SIFO's app and URL."""
    register_app = build_register(register)
    register_app.state.clock = clock
    register_server = ThreadedServer(register_app)
    register_server.start()
    settings = sifo.model_copy(update={"state_aid_url": register_server.url})
    app = build_sifo(settings)
    app.state.clock = clock
    app.state.operations = on_clock(operations(settings), clock)
    server = ThreadedServer(app)
    server.start()
    try:
        yield app, server.url
    finally:
        server.stop()
        register_server.stop()
        app.state.engine.dispose()
        register_app.state.engine.dispose()


def make_history(
    sifo: SifoSettings,
    register: StateAidSettings,
    today: date,
    size: HistorySize = HistorySize(),
    demo_size: DemoSize = DemoSize(),
    progress: Callable[[str], None] = print,
    stopping: Callable[[], bool] = lambda: False,
) -> DemoReport:
    """Loans paid out `size.months` months ago and everything that happened to them until yesterday.

    `stopping` is asked once per simulated day; when it answers yes, the history stops there
    (HistoryStopped) and making it again carries on.
    """
    clock = BusinessClock()
    first = today.replace(day=1) - relativedelta(months=size.months)
    clock.set_day(first)
    with served_on(clock, sifo, register) as (app, url):
        who = people(sifo, lambda token: connect(token, {"sifo": url}))
        loading = Loading(who, today, demo_size, progress)
        financiers, rights = loading.financiers_and_rights()
        history = History(who.manager.sifo, who.approver.sifo, who.backoffice.sifo, loading.report)
        start = first + relativedelta(months=1)
        loans = [
            history.lend(n, financiers[n % len(financiers)]["id"], rights, first, start) for n in range(size.loans)
        ]
        progress(f"demo history: {len(loans)} SIFO loans paid out on {start}; walking to {today - timedelta(days=1)}")
        ops, engine = app.state.operations, app.state.engine
        behaviours = {loan_id: behaviour(n) for n, loan_id in enumerate(loans)}
        day = first
        while day < today:
            if stopping():
                raise HistoryStopped(f"stopped on {day.isoformat()}")
            clock.set_day(day)
            run_daily(ops, engine, payouts.PAYOUT_RUN, day, payouts.run, show_progress=False)
            run_daily(ops, engine, due_run.DUE_RUN, day, due_run.run, show_progress=False)
            history.plan_payments(day, behaviours)
            history.pay(day)
            run_daily(ops, engine, overdue_run.OVERDUE_RUN, day, overdue_run.run, show_progress=False)
            if day.day == 1:
                progress(f"demo history: {day:%B %Y}")
            day += timedelta(days=1)
    return loading.report


class History:
    """What the people of the demo do over the year, through SIFO's API."""

    def __init__(self, manager: Sifo, approver: Sifo, backoffice: Sifo, report: DemoReport) -> None:
        self.manager, self.approver, self.backoffice, self.report = manager, approver, backoffice, report
        self.planned: dict[date, list[Payment]] = defaultdict(list)

    def lend(self, n: int, financier_id: str, rights: dict[tuple[str, int], str], on: date, start: date) -> str:
        share = Decimal(40_000 + (n * 7_919) % 160_000).quantize(Decimal("1000"))
        loan = self.manager.submit_loan(
            {
                "financier_id": financier_id,
                "borrower": {
                    "enterprise_number": enterprise_number(5_000 + n),
                    "name": f"Sociale werkplaats {n + 1} vzw",
                    "target_group_vte": money(Decimal(4 + n % 30)),
                },
                "loan_type": ("investment", "working_capital")[n % 2],
                "total_credit": money(share * Decimal("1.5")),
                "sifo_share": money(share),
                "terms": {"start_date": start.isoformat(), "periods": (36, 60, 84)[n % 3], "frequency": "monthly"},
                "rating": ("good", "satisfactory", "weak")[n % 3],
                "collateral": ("high", "normal", "low")[n % 3],
                "external_id": f"{HISTORY_PREFIX}{n + 1:04d}",
            },
            idempotency_key=f"demo-history-loan-{n}",
        )
        self.approver.approve_loan(
            loan["id"], drawing_right_id=rights[(financier_id, on.year)], idempotency_key=f"demo-history-approve-{n}"
        )
        decision = self.backoffice.prepare_disbursement(
            loan["id"], {"disbursed_on": start.isoformat()}, idempotency_key=f"demo-history-payout-{n}"
        )
        self.approver.approve_decision(decision["id"], idempotency_key=f"demo-history-payout-approval-{n}")
        self.report.add("SIFO loans with a year of history")
        return str(loan["id"])

    def plan_payments(self, day: date, behaviours: dict[str, str]) -> None:
        """Each instalment the due run asked for today is paid as its borrower pays."""
        for request in self.backoffice.list_requests(business_date=day):
            self._plan(request, behaviours.get(request["loan_id"], "on_time"))

    def _plan(self, request: JsonObject, kind: str) -> None:
        due = date.fromisoformat(request["due_on"])
        number = int(request["installment_number"])
        amount = Decimal(request["amount"])
        if kind == "stops" and number > 6:
            return
        on = due + timedelta(days=21) if kind == "late" else due
        if kind == "partial" and number >= 4:
            amount = (amount * Decimal("0.6")).quantize(Decimal("0.01"))
        self.planned[on].append(Payment(request["loan_id"], amount, f"demo-history-pay-{request['id']}"))

    def pay(self, day: date) -> None:
        for payment in self.planned.pop(day, []):
            self.backoffice.record_repayment(
                payment.loan_id,
                {"received_on": day.isoformat(), "amount": money(payment.amount)},
                idempotency_key=payment.key,
            )
            self.report.add("repayments recorded")
