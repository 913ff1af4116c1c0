"""A demo portfolio, loaded through the public APIs, so a new user sees a working platform at once.

`make run` loads it on the local default databases when SIFO has no financier yet (never on a
configured `DATABASE_URL`; `DEMO=0` skips it). Every write names its own Idempotency-Key
(`demo-...`), so a load that was interrupted is resumed by starting again: what was done is
answered again, nothing twice.

What it holds:
- SIFO: financiers with drawing rights for three fund years, and loans submitted, approved and
  paid out;
- energy: two budget years, a call, applicants and applications, approved and paid out;
- Trividend: investees and equity participations approved by the committee.

Approvals and payouts are dated on today's business date by the services, as they must be, so
these loans start next month; the year of repayments behind them is `deploy.demo_history`'s,
made before the stack starts. `export_last_quarter` asks for the last ended quarter's export
once the portfolio has booked everything.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import httpx
from dateutil.relativedelta import relativedelta
from prometheus_client.parser import text_string_to_metric_families
from schwifty import IBAN

from sefund.client import EXPORT_IN_PROGRESS, ApiError, JsonObject, Platform, connect
from shared.platform.auth import Role, issue_token
from shared.platform.business_date import business_today
from shared.platform.quarters import Quarter
from shared.platform.settings import SERVICE_AUDIENCES, ServiceSettings

DOCUMENTS = [
    "application_form",
    "feasibility_study",
    "installer_quote",
    "procurement_report",
    "de_minimis_declaration",
    "statutes",
    "latest_accounts",
]
LENDERS = ("sifo", "energy", "trividend")
SECTORS = ["circular economy", "food", "care", "construction", "textile", "logistics"]


@dataclass(frozen=True)
class DemoSize:
    financiers: int = 6
    sifo_loans: int = 200
    applicants: int = 60
    energy_loans: int = 120
    participations: int = 60


@dataclass
class DemoReport:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n


def enterprise_number(n: int) -> str:
    """The n-th demo enterprise number: 0, seven digits, and the mod-97 check of the register."""
    digits = f"0{3_000_000 + n:07d}"
    return f"{digits}{97 - int(digits) % 97:02d}"


def account(n: int) -> str:
    return str(IBAN.generate("BE", bank_code="096", account_code=f"{6_000_000 + n:07d}").compact)


def money(amount: Decimal) -> str:
    return str(amount.quantize(Decimal("0.01")))


@dataclass
class People:
    """One platform client per role the demo acts as."""

    manager: Platform
    approver: Platform
    backoffice: Platform
    committee: Platform


def people(settings: ServiceSettings, connect_as: Callable[[str], Platform]) -> People:
    def as_(subject: str, role: Role) -> Platform:
        return connect_as(issue_token(settings, subject, [role], audience=SERVICE_AUDIENCES))

    return People(
        manager=as_("demo.manager@pmv.example", Role.FUND_MANAGER),
        approver=as_("demo.approver@pmv.example", Role.APPROVER),
        backoffice=as_("demo.backoffice@pmv.example", Role.BACKOFFICE),
        committee=as_("demo.committee@trividend.example", Role.APPROVER),
    )


def is_empty(who: People) -> bool:
    return next(iter(who.manager.sifo.list_financiers()), None) is None


@dataclass
class Loading:
    who: People
    today: date
    size: DemoSize
    progress: Callable[[str], None]
    report: DemoReport = field(default_factory=DemoReport)
    chooser: random.Random = field(default_factory=lambda: random.Random(2026))  # noqa: S311 - demo figures

    def financiers_and_rights(self) -> tuple[list[JsonObject], dict[tuple[str, int], str]]:
        """The financiers, and each one's drawing right id per fund year (the last three years)."""
        financiers = []
        for n in range(self.size.financiers):
            financiers.append(
                self.who.manager.sifo.register_financier(
                    {
                        "enterprise_number": enterprise_number(n),
                        "name": f"Demo financier {n + 1}",
                        "iban": account(n),
                        "recognised_from": f"{self.today.year - 3}-01-01",
                    },
                    idempotency_key=f"demo-financier-{n}",
                )
            )
            self.report.add("financiers")
        rights = {}
        for n, financier in enumerate(financiers):
            for year in range(self.today.year - 2, self.today.year + 1):
                right = self.who.manager.sifo.allocate_drawing_right(
                    financier["id"],
                    {
                        "fund_year": year,
                        "amount": "10000000.00",
                        "valid_from": f"{year}-01-01",
                        "valid_until": f"{year + 1}-12-31",
                    },
                    idempotency_key=f"demo-right-{n}-{year}",
                )
                rights[(financier["id"], year)] = right["id"]
                self.report.add("drawing rights")
        return financiers, rights

    def sifo(self) -> None:
        start = self.today.replace(day=1) + relativedelta(months=1)
        financiers, rights = self.financiers_and_rights()
        self.progress(f"demo: {len(financiers)} financiers with drawing rights for three fund years")
        for n in range(self.size.sifo_loans):
            if n and n % 50 == 0:
                self.progress(f"demo: {n} SIFO loans")
            financier = financiers[n % len(financiers)]
            share = Decimal(self.chooser.randrange(20_000, 300_000, 1_000))
            loan = self.who.manager.sifo.submit_loan(
                {
                    "financier_id": financier["id"],
                    "borrower": {
                        "enterprise_number": enterprise_number(1_000 + n % 150),
                        "name": f"Maatwerkbedrijf {n % 150 + 1} vzw",
                        "target_group_vte": money(Decimal(self.chooser.randrange(2, 80))),
                    },
                    "loan_type": self.chooser.choice(["investment", "working_capital", "bridging"]),
                    "total_credit": money(share * Decimal("1.5")),
                    "sifo_share": money(share),
                    "terms": {
                        "start_date": start.isoformat(),
                        "periods": self.chooser.choice([36, 60, 84]),
                        "frequency": "monthly",
                    },
                    "rating": self.chooser.choice(["good", "satisfactory", "weak"]),
                    "collateral": self.chooser.choice(["high", "normal", "low"]),
                    "external_id": f"DEMO-SIFO-{n + 1:04d}",
                },
                idempotency_key=f"demo-loan-{n}",
            )
            self.report.add("SIFO loans submitted")
            if n % 10 == 9:
                continue  # one in ten waits for the approver
            try:
                self.who.approver.sifo.approve_loan(
                    loan["id"],
                    drawing_right_id=rights[(financier["id"], self.today.year)],
                    idempotency_key=f"demo-approve-{n}",
                )
            except ApiError as refused:
                self.progress(f"demo: loan {n + 1} not approved: {refused.detail}")
                continue
            self.report.add("SIFO loans approved")
            if n % 10 == 8:
                continue  # approved, payout not yet prepared
            decision = self.who.backoffice.sifo.prepare_disbursement(
                loan["id"], {"disbursed_on": start.isoformat()}, idempotency_key=f"demo-payout-{n}"
            )
            if n % 10 != 7:  # one in ten payouts waits in the approvers' inbox
                self.who.approver.sifo.approve_decision(decision["id"], idempotency_key=f"demo-payout-approval-{n}")
                self.report.add("SIFO payouts approved")

    def energy(self) -> None:
        energy = self.who.manager.energy
        for year in (self.today.year - 1, self.today.year):
            energy.open_budget_year({"year": year}, idempotency_key=f"demo-budget-{year}")
            self.report.add("energy budget years")
        call = energy.open_call(
            self.today.year,
            {
                "title": f"Oproep hernieuwbare energie {self.today.year}",
                "opens_on": self.today.isoformat(),
                "closes_on": (self.today + timedelta(days=180)).isoformat(),
            },
            idempotency_key=f"demo-call-{self.today.year}",
        )
        applicants = []
        for n in range(self.size.applicants):
            applicants.append(
                energy.register_applicant(
                    {
                        "enterprise_number": enterprise_number(2_000 + n),
                        "name": f"Maatwerkbedrijf energie {n + 1} vzw",
                        "workshop_type": self.chooser.choice(["sheltered", "social"]),
                        "recognition_number": f"DEMO-{n + 1:04d}",
                        "iban": account(2_000 + n),
                        "sites": [
                            {
                                "name": "Hoofdzetel",
                                "address": f"Demostraat {n + 1}, 9000 Gent",
                                "yearly_energy_need_kwh": "400000",
                            }
                        ],
                    },
                    idempotency_key=f"demo-applicant-{n}",
                )
            )
            self.report.add("energy applicants")
        for n in range(self.size.energy_loans):
            applicant = applicants[n % len(applicants)]
            kwp = self.chooser.randrange(20, 60)
            cost = Decimal(kwp * 1_000)
            application = energy.submit_application(
                {
                    "call_id": call["id"],
                    "applicant_id": applicant["id"],
                    "site_id": applicant["sites"][0]["id"],
                    "requested_amount": money(cost),
                    "installations": [
                        {
                            "technology": "pv",
                            "capacity": str(kwp),
                            "unit": "kWp",
                            "investment_cost": money(cost),
                            "yearly_production_kwh": str(kwp * 900),
                            "yearly_savings_eur": money(Decimal(kwp * 900) * Decimal("0.25")),
                        }
                    ],
                    "documents": DOCUMENTS,
                    "external_id": f"DEMO-ENERGY-{n + 1:04d}",
                },
                idempotency_key=f"demo-application-{n}",
            )
            self.report.add("energy applications")
            if n % 6 == 5:
                continue
            try:
                self.who.approver.energy.approve_application(
                    application["id"], idempotency_key=f"demo-energy-approve-{n}"
                )
            except ApiError as refused:
                self.progress(f"demo: application {n + 1} not approved: {refused.detail}")
                continue
            self.report.add("energy applications approved")
        years = f"{self.today.year - 1} and {self.today.year}"
        self.progress(f"demo: energy budget years {years}, {self.size.energy_loans} applications")

    def trividend(self) -> None:
        for n in range(self.size.participations):
            investee = self.who.manager.trividend.register_investee(
                {
                    "enterprise_number": enterprise_number(4_000 + n),
                    "name": f"Sociale onderneming {n + 1} cv",
                    "legal_form": "cooperative",
                    "sector": self.chooser.choice(SECTORS),
                    "external_id": f"DEMO-REL-{n + 1:04d}",
                },
                idempotency_key=f"demo-investee-{n}",
            )
            proposal = self.who.manager.trividend.propose_investment(
                {
                    "investee_id": investee["id"],
                    "instrument": "equity",
                    "amount": money(Decimal(self.chooser.randrange(25_000, 250_000, 5_000))),
                    "rationale": "growth of target-group employment",
                    "external_id": f"DEMO-DOSSIER-{n + 1:04d}",
                },
                idempotency_key=f"demo-proposal-{n}",
            )
            self.report.add("Trividend proposals")
            if n % 5 != 4:
                self.who.committee.trividend.approve_proposal(proposal["id"], idempotency_key=f"demo-committee-{n}")
                self.report.add("Trividend participations")
        self.progress(f"demo: {self.size.participations} Trividend investees and proposals")


def load(who: People, today: date, size: DemoSize = DemoSize(), progress: Callable[[str], None] = print) -> DemoReport:
    loading = Loading(who, today, size, progress)
    loading.sifo()
    loading.energy()
    loading.trividend()
    return loading.report


def caught_up(urls: Mapping[str, str]) -> bool:
    """Every lender's outbox published and the portfolio's consumer at the end of every partition."""
    for name in LENDERS:
        if _metric_total(urls[name], "outbox_pending") != 0:
            return False
    return _metric_total(urls["portfolio"], "consumer_lag") == 0


def _metric_total(url: str, name: str) -> float | None:
    """The sum of a metric's samples on a service's /metrics; None while the service answers no such metric."""
    try:
        text = httpx.get(f"{url}/metrics", timeout=5).text
    except httpx.HTTPError:
        return None
    values = [
        sample.value
        for family in text_string_to_metric_families(text)
        if family.name == name
        for sample in family.samples
    ]
    return sum(values) if values else None


def export_last_quarter(
    who: People, today: date, urls: Mapping[str, str], progress: Callable[[str], None] = print, timeout: float = 600
) -> JsonObject:
    """The export of the last quarter that ended, once the portfolio has booked every event published so far."""
    quarter = Quarter(today.year, (today.month - 1) // 3 + 1).previous()
    deadline = time.monotonic() + timeout
    progress(f"demo: waiting for the portfolio to book every event before the {quarter} export")
    while not caught_up(urls):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the portfolio did not catch up within {timeout:.0f} s")
        time.sleep(2)
    export = who.backoffice.portfolio.request_export(str(quarter), idempotency_key=f"demo-export-{quarter}")
    while export["status"] in EXPORT_IN_PROGRESS:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the {quarter} export was not made within {timeout:.0f} s")
        time.sleep(1)
        export = who.backoffice.portfolio.get_export(export["id"])
    if export["status"] != "done":
        raise RuntimeError(f"the {quarter} export is {export['status']}")
    return export


def main(argv: list[str] | None = None) -> int:
    """Load the demo into a running stack (`python -m deploy.demo`), at make run's addresses."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--force", action="store_true", help="load even when SIFO already has financiers")
    args = parser.parse_args(argv)
    who = people(ServiceSettings(), connect)
    if not args.force and not is_empty(who):
        print("demo: SIFO already has financiers; nothing loaded (--force loads anyway)")
        return 0
    report = load(who, business_today())
    print("demo loaded: " + ", ".join(f"{count} {what}" for what, count in report.counts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
