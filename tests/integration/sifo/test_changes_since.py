"""A back-office copy of the loan book follows what changed: `updated_since`, `sort` and the change cursor."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from tests.integration.sifo.conftest import Sifo, loan_body
from tests.support import enterprise_number

pytestmark = pytest.mark.integration


def submitted_loans(sifo: Sifo, count: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    financier = sifo.financier()
    right = sifo.drawing_right(financier["id"])
    sifo.on("2026-03-02")
    loans = [
        sifo.ok(
            "POST",
            "/loans",
            sifo.manager,
            loan_body(
                financier["id"],
                borrower={"enterprise_number": enterprise_number(n), "name": f"B{n}", "target_group_vte": "3.00"},
            ),
            201,
        )
        for n in range(count)
    ]
    return right, loans


def page(sifo: Sifo, url: str) -> dict[str, Any]:
    answered: dict[str, Any] = sifo.ok("GET", url, sifo.manager)
    return answered


def test_updated_since_answers_what_changed_at_or_after_the_time_and_sort_orders_it(sifo: Sifo) -> None:
    right, loans = submitted_loans(sifo, 5)
    listed = sifo.items("/loans", sifo.manager)
    assert {loan["id"] for loan in listed} == {loan["id"] for loan in loans}
    newest_first = sifo.items("/loans?sort=-created", sifo.manager)
    assert [loan["id"] for loan in newest_first] == [loan["id"] for loan in reversed(listed)]

    latest = max(loan["updated_at"] for loan in listed)
    sifo.on("2026-03-10")
    approved = sifo.ok(
        "POST", f"/loans/{loans[1]['id']}/approval", sifo.approver, {"drawing_right_id": right["id"]}, 200
    )
    assert approved["updated_at"] > latest, "the approval moved the loan's change stamp"

    changed = sifo.items(f"/loans?updated_since={quote(approved['updated_at'])}&sort=updated", sifo.manager)
    assert [loan["id"] for loan in changed] == [loans[1]["id"]]
    by_change = [loan["id"] for loan in sifo.items("/loans?sort=updated", sifo.manager)]
    assert by_change[-1] == loans[1]["id"], "least recently changed first: the approved loan comes last"
    assert by_change[0] == sifo.items("/loans?sort=-updated", sifo.manager)[-1]["id"]

    since_start = sifo.items(f"/loans?updated_since={quote(loans[0]['updated_at'])}", sifo.manager)
    assert len(since_start) == 5, "at or after: the first loan's own stamp includes it"


def test_paging_by_change_skips_nothing_when_a_read_row_changes_in_between(sifo: Sifo) -> None:
    right, loans = submitted_loans(sifo, 5)
    first = page(sifo, "/loans?sort=updated&limit=2")
    assert len(first["items"]) == 2
    seen = [loan["id"] for loan in first["items"]]

    sifo.on("2026-03-10")
    sifo.ok("POST", f"/loans/{seen[0]}/approval", sifo.approver, {"drawing_right_id": right["id"]}, 200)

    cursor = first["next_cursor"]
    while cursor is not None:
        following = page(sifo, f"/loans?sort=updated&limit=2&cursor={cursor}")
        seen += [loan["id"] for loan in following["items"]]
        cursor = following["next_cursor"]
    assert set(seen) == {loan["id"] for loan in loans}, "no loan skipped"
    assert seen[-1] == seen[0], "the loan changed after it was read comes again, behind the cursor"
    assert len(seen) == 6


def test_a_time_without_zone_and_a_cursor_of_another_order_are_refused(sifo: Sifo) -> None:
    submitted_loans(sifo, 3)
    naive = sifo.client.get("/loans?updated_since=2026-03-01T00:00:00", headers=sifo.manager)
    assert naive.status_code == 422, naive.text
    assert naive.json()["errors"][0]["field"] == "updated_since"

    positional = page(sifo, "/loans?limit=1")["next_cursor"]
    mixed = sifo.client.get(f"/loans?sort=updated&cursor={positional}", headers=sifo.manager)
    assert mixed.status_code == 422, mixed.text
    assert "cursor" in mixed.text
    unknown = sifo.client.get("/loans?sort=newest", headers=sifo.manager)
    assert unknown.status_code == 422, unknown.text
    assert unknown.json()["errors"][0]["field"] == "sort"


def test_loans_filter_on_financier_and_borrower(sifo: Sifo) -> None:
    _right, loans = submitted_loans(sifo, 3)
    other = sifo.financier(enterprise_number="0200.065.765", name="Andere financier")
    sifo.drawing_right(other["id"])
    theirs = sifo.ok("POST", "/loans", sifo.manager, loan_body(other["id"]), 201)

    assert [loan["id"] for loan in sifo.items(f"/loans?financier_id={other['id']}", sifo.manager)] == [theirs["id"]]
    spelled = quote(f"BE {enterprise_number(2)}")
    assert [loan["id"] for loan in sifo.items(f"/loans?enterprise_number={spelled}", sifo.manager)] == [loans[2]["id"]]
