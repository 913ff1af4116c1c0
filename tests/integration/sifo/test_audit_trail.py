"""The audit trail on SIFO: who changed what, before and after, under which request; and nobody rewrites it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, col, select

from shared.platform.audit import AuditEntry, AuditTrailIsAppendOnly
from shared.platform.auth import Role
from shared.platform.direct_inserts import insert_new

from services.sifo.models import SifoBorrower
from tests.integration.sifo.conftest import Sifo
from tests.support import bearer

pytestmark = pytest.mark.integration


def trail(sifo: Sifo, object_type: str, object_id: str) -> list[dict[str, object]]:
    auditor = bearer(sifo.settings, "eva@audit.example", Role.AUDITOR)
    entries: list[dict[str, object]] = sifo.items(
        f"/audit-trail?object_type={object_type}&object_id={object_id}", auditor
    )
    return entries


def test_every_change_names_who_when_what_and_the_request(sifo: Sifo) -> None:
    created = sifo.client.post(
        "/financiers",
        headers={**sifo.manager, "X-Request-ID": "register-hefboom"},
        json={
            "enterprise_number": "0403170701",
            "name": "Hefboom",
            "iban": "BE68539007547034",
            "recognised_from": "2026-01-01",
        },
    )
    financier_id = created.json()["id"]
    sifo.client.post(
        f"/financiers/{financier_id}/suspension",
        headers={**bearer(sifo.settings, "Dirk@PMV.example", Role.FUND_MANAGER), "X-Request-ID": "suspend-1"},
        json={"suspended_from": "2026-06-01", "reason": "annual accounts not filed"},
    )
    entries = trail(sifo, "sifo_financier", financier_id)
    assert [(entry["action"], entry["actor"], entry["request_id"]) for entry in entries] == [
        ("insert", "alice@pmv.example", "register-hefboom"),
        ("update", "dirk@pmv.example", "suspend-1"),
    ]
    inserted, suspended = entries
    assert inserted["before"] is None
    assert isinstance(inserted["after"], dict)
    assert inserted["after"]["name"] == "Hefboom"
    assert suspended["before"] == {"status": "recognised", "status_reason": None, "suspended_from": None}
    assert suspended["after"] == {
        "status": "suspended",
        "status_reason": "annual accounts not filed",
        "suspended_from": "2026-06-01",
    }


def test_a_second_suspension_is_refused_and_the_first_stays(sifo: Sifo) -> None:
    financier = sifo.financier()
    first = {"suspended_from": "2026-06-01", "reason": "annual accounts not filed"}
    sifo.ok("POST", f"/financiers/{financier['id']}/suspension", sifo.manager, first)
    again = sifo.client.post(
        f"/financiers/{financier['id']}/suspension",
        headers=sifo.manager,
        json={"suspended_from": "2026-09-01", "reason": "still no accounts"},
    )
    assert again.status_code == 409, again.text
    assert "already suspended from 2026-06-01" in again.json()["detail"]
    assert sifo.ok("GET", f"/financiers/{financier['id']}", sifo.manager)["suspended_from"] == "2026-06-01"


def test_only_auditors_read_the_trail_and_nobody_changes_it(sifo: Sifo) -> None:
    financier = sifo.financier()
    assert sifo.client.get("/audit-trail?object_type=sifo_financier", headers=sifo.manager).status_code == 403
    auditor = bearer(sifo.settings, "eva@audit.example", Role.AUDITOR)
    for method in ("PUT", "PATCH", "DELETE", "POST"):
        response = sifo.client.request(method, "/audit-trail", headers=auditor, json={})
        assert response.status_code == 405, (method, response.text)

    with Session(sifo.engine) as session:
        entry = session.exec(select(AuditEntry).where(col(AuditEntry.object_id) == financier["id"])).first()
        assert entry is not None
        entry_id = entry.id
    with Session(sifo.engine) as session:
        stored = session.get(AuditEntry, entry_id)
        assert stored is not None
        stored.actor = "someone else"
        session.add(stored)
        with pytest.raises(AuditTrailIsAppendOnly):
            session.flush()
        session.rollback()
        stored = session.get(AuditEntry, entry_id)
        session.delete(stored)
        with pytest.raises(AuditTrailIsAppendOnly):
            session.flush()
        session.rollback()
    for statement in (
        "UPDATE platform_audit_entry SET actor = 'someone else'",
        "DELETE FROM platform_audit_entry",
        "TRUNCATE platform_audit_entry",
    ):
        with pytest.raises(DBAPIError, match="append-only"), sifo.engine.begin() as connection:
            connection.execute(sa.text(statement))
    assert trail(sifo, "sifo_financier", financier["id"])[0]["actor"] == "alice@pmv.example"


def test_entries_share_the_fate_of_their_flush_and_transaction(sifo: Sifo) -> None:
    """A flush that fails writes no entry, and leaves none behind for the next one; a rollback takes
    the entries with the rows; a commit keeps one entry per change, in its transaction."""

    def entries_of(enterprise_number: str) -> list[tuple[str, str | None]]:
        with Session(sifo.engine) as session:
            found = session.exec(
                select(AuditEntry).where(
                    col(AuditEntry.object_type) == "sifo_borrower", col(AuditEntry.object_id) == enterprise_number
                )
            ).all()
            return [(entry.action, entry.after) for entry in found]

    with Session(sifo.engine) as session:
        session.add(SifoBorrower(enterprise_number="0999000101", name="Kept"))
        session.commit()
    with Session(sifo.engine) as session:
        session.add(SifoBorrower(enterprise_number="0999000102", name="Never stored"))
        session.add(SifoBorrower(enterprise_number="0999000101", name="Duplicate key"))
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()
        kept = session.get(SifoBorrower, "0999000101")
        assert kept is not None
        kept.name = "Kept, renamed"
        session.add(kept)
        session.commit()
    with Session(sifo.engine) as session:
        session.add(SifoBorrower(enterprise_number="0999000103", name="Rolled back"))
        session.flush()
        session.rollback()
    assert entries_of("0999000102") == []
    assert entries_of("0999000103") == []
    assert [action for action, _ in entries_of("0999000101")] == ["insert", "update"]
    assert '"name": "Kept, renamed"' in str(entries_of("0999000101")[1][1])


def test_a_row_inserted_directly_is_audited_and_tracked_as_a_flushed_one_is(sifo: Sifo) -> None:
    """`insert_new` (the loan submission's INSERT) writes the entry a flush writes, fills the model's
    defaults, and leaves an instance whose later change is flushed and audited as an update."""

    def entries_of(enterprise_number: str) -> list[tuple[str, str | None, str | None]]:
        with Session(sifo.engine) as session:
            found = session.exec(
                select(AuditEntry)
                .where(col(AuditEntry.object_type) == "sifo_borrower", col(AuditEntry.object_id) == enterprise_number)
                .order_by(col(AuditEntry.id))
            ).all()
            return [(entry.action, entry.before, entry.after) for entry in found]

    with Session(sifo.engine) as session:
        session.add(SifoBorrower(enterprise_number="0999000201", name="Flushed"))
        direct = insert_new(session, SifoBorrower, enterprise_number="0999000202", name="Inserted")
        assert direct.external_id is None  # the field's default
        assert session.get(SifoBorrower, "0999000202") is direct  # persistent, in the identity map
        direct.name = "Inserted, renamed"
        session.add(direct)
        session.commit()
    with pytest.raises(TypeError, match="no field colour"), Session(sifo.engine) as session:
        insert_new(session, SifoBorrower, enterprise_number="0999000203", name="Never", colour="red")
    with pytest.raises(TypeError, match=r"SifoBorrower\.name is required"), Session(sifo.engine) as session:
        insert_new(session, SifoBorrower, enterprise_number="0999000203")

    flushed, inserted = entries_of("0999000201"), entries_of("0999000202")
    assert flushed == [("insert", None, '{"enterprise_number": "0999000201", "external_id": null, "name": "Flushed"}')]
    assert inserted == [
        ("insert", None, '{"enterprise_number": "0999000202", "external_id": null, "name": "Inserted"}'),
        ("update", '{"name": "Inserted"}', '{"name": "Inserted, renamed"}'),
    ]
    assert entries_of("0999000203") == []
    with Session(sifo.engine) as session:
        stored = session.get(SifoBorrower, "0999000202")
        assert stored is not None
        assert stored.name == "Inserted, renamed"
        assert session.get(SifoBorrower, "0999000203") is None
