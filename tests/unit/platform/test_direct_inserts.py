"""`insert_new` in a fresh process, before anything has configured the ORM's mappers (a worker's first request)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

FIRST_WRITE = textwrap.dedent(
    """
    import sqlalchemy as sa
    from sqlmodel import Session, SQLModel, select

    from shared.platform.audit import AuditEntry
    from shared.platform.direct_inserts import insert_new
    from services.sifo.models import SifoBorrower

    engine = sa.create_engine("sqlite://")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        borrower = insert_new(session, SifoBorrower, enterprise_number="0999000301", name="First")
        borrower.name = "First, renamed"
        session.commit()
    with Session(engine) as session:
        print(session.get_one(SifoBorrower, "0999000301").name)
        print(",".join(entry.action for entry in session.exec(select(AuditEntry).order_by(AuditEntry.id))))
    """
)


def test_the_first_row_of_a_fresh_process_is_inserted_audited_and_tracked() -> None:
    done = subprocess.run(
        [sys.executable, "-c", FIRST_WRITE], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["First,", "renamed", "insert,update"]
