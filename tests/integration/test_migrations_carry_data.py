"""Upgrading a database with loans, aid and pending decisions in it loses nothing, and servicing goes on.

The rows are written as the previous revision's code wrote them (its payload shapes, its statuses,
an energy loan with an id of its own), then the database is upgraded to head and used through the
services' own code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from shared.platform import migrations
from shared.platform.auth import Principal, Role
from shared.platform.database import make_engine, transaction
from shared.servicing import service as core
from shared.servicing.decisions import DisbursementRequest

from services.energy.app import MIGRATIONS_DIR as ENERGY_MIGRATIONS
from services.energy.service import loans as energy_loans
from services.energy.service import servicing as energy_servicing
from services.energy.service.context import Command as EnergyCommand
from services.sifo.app import MIGRATIONS_DIR as SIFO_MIGRATIONS
from services.sifo.service import decisions as sifo_decisions
from services.sifo.service.context import Command as SifoCommand
from services.sifo.service.servicing import LENDER as SIFO

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
PRINCIPAL = Principal(subject="bob@pmv.example", roles=frozenset({Role.APPROVER, Role.FUND_MANAGER}))


def rows(engine: sa.Engine, statements: list[tuple[str, dict[str, object]]]) -> None:
    with engine.begin() as connection:
        for statement, values in statements:
            connection.execute(sa.text(statement), values)


def test_sifo_loans_aid_and_a_pending_payout_survive_the_upgrade(make_database: Callable[[str], str]) -> None:
    url = make_database("carry_sifo")
    migrations.upgrade(SIFO_MIGRATIONS, url, "0002")
    engine = make_engine(url)
    loan = {
        "financier_id": "f1",
        "borrower_enterprise_number": "0200065765",
        "borrower_name": "De Kringwinkel",
        "target_group_vte": 3,
        "loan_type": "investment",
        "total_credit": 300000,
        "annual_rate": Decimal("0.01"),
        "periods": 84,
        "frequency": "monthly",
        "method": "annuity",
        "day_count": "30E/360",
        "grace_periods": 0,
        "grace_kind": "interest_only",
        "installment_multiple": Decimal("0.01"),
        "rating": "satisfactory",
        "collateral": "normal",
        "base_rate": Decimal("0.0219"),
        "margin": Decimal("0.022"),
        "reference_rate": Decimal("0.0439"),
        "discount_rate": Decimal("0.0319"),
        "submitted_on": date(2026, 3, 2),
        "submitted_by": "alice@pmv.example",
        "submitted_at": NOW,
        "approved_on": date(2025, 7, 10),
    }
    columns = ", ".join(["id", "sifo_share", "start_date", "gge", "status", *loan])
    values = ", ".join([":id", ":sifo_share", ":start_date", ":gge", ":status", *(f":{key}" for key in loan)])
    rows(
        engine,
        [
            (
                "INSERT INTO sifo_financier (id, enterprise_number, name, iban, recognised_from, created_at,"
                " created_by, status) VALUES ('f1', '0403170701', 'Hefboom', 'BE68539007547034', '2025-01-01',"
                " :now, 'a', 'recognised')",
                {"now": NOW},
            ),
            ("INSERT INTO sifo_borrower VALUES ('0200065765', 'De Kringwinkel')", {}),
            (
                f"INSERT INTO sifo_loan ({columns}) VALUES ({values})",
                {
                    "id": "approved",
                    "sifo_share": 200000,
                    "start_date": date(2026, 4, 1),
                    "gge": 1000,
                    "status": "approved",
                    **loan,
                },
            ),
            (
                "INSERT INTO sifo_aid_grant VALUES ('approved', '0200065765', '2025-07-10', 1000.00, 'reserved')",
                {},
            ),
            (
                "INSERT INTO sifo_decision (id, loan_id, kind, payload, status, prepared_by, prepared_at) VALUES "
                "('payout', 'approved', 'disbursement', :payload, 'prepared', 'carol@pmv.example', :now)",
                {"payload": json.dumps({"disbursed_on": "2026-04-01", "iban": "BE68539007547034"}), "now": NOW},
            ),
        ],
    )
    engine.dispose()

    migrations.upgrade(SIFO_MIGRATIONS, url)

    engine = make_engine(url)
    try:
        with Session(engine) as session:
            measure = session.execute(sa.text("SELECT measure, gge, reference_rate FROM sifo_aid_measure")).one()
            assert (measure[0], measure[1], measure[2]) == ("grant", Decimal("1000.00"), Decimal("0.044100"))
            stored = session.execute(sa.text("SELECT gge_on, gge_reference_rate FROM sifo_loan")).one()
            assert (stored[0], stored[1]) == (date(2025, 7, 10), Decimal("0.044100"))
        with transaction(engine) as session:
            command = SifoCommand(session=session, principal=PRINCIPAL, topic="sifo.events", clock=lambda: NOW)
            (decision,) = SIFO.unit_of_work(command).decisions("approved")
            assert isinstance(decision.request, DisbursementRequest)
            assert (decision.request.amount, decision.request.other_account) == (Decimal("200000.00"), False)
            sifo_decisions.reject(command, "payout", "prepared before the upgrade; prepare it again")
    finally:
        engine.dispose()


def test_energy_loans_take_their_application_id_and_keep_their_history(make_database: Callable[[str], str]) -> None:
    url = make_database("carry_energy")
    migrations.upgrade(ENERGY_MIGRATIONS, url, "0001")
    engine = make_engine(url)
    rows(
        engine,
        [
            (
                "INSERT INTO energy_budget_year VALUES (2026, 5000000, 92000, 0, 0, 'JB0-1JEC2GB-PA', :now, 'a')",
                {"now": NOW},
            ),
            (
                "INSERT INTO energy_call (id, budget_year, title, opens_on, closes_on, annual_rate, periods, frequency,"
                " created_at, created_by) VALUES ('c', 2026, 'Oproep', '2026-01-01', '2026-12-31', 0.01, 120,"
                " 'monthly', :now, 'a')",
                {"now": NOW},
            ),
            (
                "INSERT INTO energy_applicant VALUES ('p', '0200065765', 'Maatwerk', 'sheltered', 'BW-1', :now, 'a')",
                {"now": NOW},
            ),
            ("INSERT INTO energy_site VALUES ('s', 'p', 'Gent', 'Dok Noord 1', 250000)", {}),
            (
                "INSERT INTO energy_application (id, call_id, applicant_id, site_id, requested_amount, rating,"
                " collateral, documents, warnings, status, gge, committed_amount, submitted_at, submitted_by,"
                " decided_by, decided_on) VALUES ('app', 'c', 'p', 's', 92000, 'satisfactory', 'normal', '[]', '[]',"
                " 'disbursed', 14000, 92000, :now, 'an', 'bert', '2026-04-01')",
                {"now": NOW},
            ),
            (
                "INSERT INTO energy_loan (id, application_id, applicant_id, budget_year, principal, annual_rate,"
                " periods, frequency, start_date, delivery_date, iban, status, created_at) VALUES ('own-id', 'app',"
                " 'p', 2026, 92000, 0.01, 120, 'monthly', '2026-06-15', '2026-06-10', 'BE68539007547034', 'active',"
                " :now)",
                {"now": NOW},
            ),
            (
                'INSERT INTO energy_loan_event (loan_id, kind, "on", amount, mode, recorded_by, recorded_at) VALUES'
                " ('own-id', 'repayment', '2026-07-15', 805.96, 'reduce_installment', 'chris', :now)",
                {"now": NOW},
            ),
            (
                "INSERT INTO energy_aid_grant VALUES ('app', '0200065765', '2026-04-01', 14000, 'granted')",
                {},
            ),
        ],
    )
    engine.dispose()

    migrations.upgrade(ENERGY_MIGRATIONS, url)

    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            command = EnergyCommand(session=session, principal=PRINCIPAL, topic="energy.events", clock=lambda: NOW)
            loan = energy_servicing.loan_of(command, "app")
            assert (loan.id, loan.status) == ("app", "disbursed")
            view = core.view(*energy_servicing.LENDER.on(command, "app"), date(2026, 8, 1))
            assert [(entry.kind.value, entry.amount) for entry in view.entries] == [("repayment", Decimal("805.96"))]
            assert view.position is not None
            assert view.position.total_arrears == Decimal("0.00")
            assert energy_loans.decisions_of(command, "app") == []
            measure = session.execute(sa.text("SELECT measure, gge, status FROM energy_aid_measure")).one()
            assert (measure[0], measure[1], measure[2]) == ("grant", Decimal("14000.00"), "granted")
    finally:
        engine.dispose()

    migrations.downgrade(ENERGY_MIGRATIONS, url, "0001")
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT id, status FROM energy_loan")).one() == ("app", "active")
            assert connection.execute(sa.text("SELECT count(*) FROM energy_loan_event")).scalar() == 1
            assert connection.execute(sa.text("SELECT gge FROM energy_aid_grant")).scalar() == Decimal("14000.00")
    finally:
        engine.dispose()
