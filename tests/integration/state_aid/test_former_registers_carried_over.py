"""Aid SIFO recorded in its own register before the shared one existed is carried over, once, and counts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
from sqlmodel import Session, col, select

from shared.platform.database import transaction

from services.sifo.jobs import carry_aid_to_register
from services.sifo.models import SifoAidMeasure, SifoLoan
from tests.integration.sifo.conftest import Sifo
from tests.integration.state_aid.test_lenders_share_one_register import sifo_loan
from tests.state_aid_register import measures_of

ENTERPRISE = "0200065765"


def former_measure(loan_id: str, gge: str, status: str) -> SifoAidMeasure:
    return SifoAidMeasure(
        loan_id=loan_id,
        enterprise_number=ENTERPRISE,
        measure="grant",
        source_reference=loan_id,
        grant_date=date(2025, 6, 1),
        gge=Decimal(gge),
        reference_rate=Decimal("0.0439"),
        discount_rate=Decimal("0.0319"),
        status=status,
        created_at=datetime(2025, 6, 1, tzinfo=UTC),
    )


def test_the_former_register_is_carried_over_once_and_counts(sifo: Sifo) -> None:
    sifo.on("2026-03-10")
    first = sifo_loan(sifo, ENTERPRISE)
    standing = first["id"]
    cancelled = sifo_loan(sifo, ENTERPRISE, financier_id=first["financier_id"])["id"]
    with transaction(sifo.engine) as session:
        for loan_id, status in ((standing, "approved"), (cancelled, "cancelled")):
            loan = session.get(SifoLoan, loan_id)
            assert loan is not None
            loan.status = status
            session.add(loan)
        session.add(former_measure(standing, "250000.00", "reserved"))
        session.add(former_measure(cancelled, "40000.00", "reserved"))

    assert carry_aid_to_register(sifo.settings, date(2026, 3, 10)).startswith("carried 1 ")
    assert carry_aid_to_register(sifo.settings, date(2026, 3, 10)).startswith("carried 0 ")
    with Session(sifo.engine) as session:
        statuses = session.exec(select(SifoAidMeasure.status).order_by(col(SifoAidMeasure.id))).all()
    assert list(statuses) == ["carried", "released"]

    sifo.deliver_aid()
    (carried,) = measures_of(sifo.register, standing)
    assert (carried.reference, carried.status, carried.gge, carried.grant_date) == (
        f"sifo:{standing}:grant",
        "granted",
        Decimal("250000.00"),
        date(2025, 6, 1),
    )
    assert measures_of(sifo.register, cancelled) == []
    headroom = httpx.get(
        f"{sifo.register.url}/undertakings/{ENTERPRISE}/headroom", headers=sifo.register.auditor
    ).json()
    assert headroom["available"] == "50000.00"
