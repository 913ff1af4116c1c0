"""The runs value a chunk of loans with the vectorised engine: the figures the servicing core's replay gives.

A book of SIFO loans whose histories are stored as the core keeps them, from every kind of payer:
on time, late, short, stopping, paying ahead, paying too much, prepaying, and one whose repayment
was reversed. On several days, every loan the engine values must have exactly what the core's
replay of that loan says (each installment due by the horizon and the next one, what it still
asks for, the late interest, the last entry seen); the ordinary payers must all be valued by the
engine, and what changes a schedule or undoes an entry must be left to the replay.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from shared.amortisation.schedule import build_schedule
from shared.amortisation.servicing_history import segment_on
from shared.loan_operations.valuation import value_chunk
from shared.platform.database import transaction
from shared.servicing import service as core

from services.sifo.models import SifoLoanEvent
from tests.integration.sifo.conftest import Sifo
from tests.integration.sifo.operations_book import clocked, copies, financiers, template_loan

BEHAVIOURS = ("on_time", "late", "short", "stops", "ahead", "nothing", "too_much", "prepays", "reversed")
ORDINARY = {"on_time", "late", "short", "stops", "ahead", "nothing"}
RECORDED_AT = datetime(2026, 11, 1, tzinfo=UTC)


def _store_history(sifo: Sifo, loan_id: str, behaviour: str) -> None:
    ops = clocked(sifo)
    with transaction(sifo.engine) as session:
        command = ops.command(session, ops.job_principal)
        account = ops.lender.unit_of_work(command).account(loan_id)
        rows = build_schedule(account.terms).installments
        entries: list[SifoLoanEvent] = []
        for number, row in enumerate(rows[:8]):
            on, amount, kind = row.due_date, row.payment, "repayment"
            if behaviour == "nothing" or (behaviour == "stops" and number >= 3):
                break
            if behaviour == "late":
                on += timedelta(days=23)
            elif behaviour == "short":
                amount = (amount * Decimal("0.55")).quantize(Decimal("0.01"))
            elif behaviour == "ahead":
                on -= timedelta(days=9)
            elif behaviour == "too_much" and number == 2:
                amount += Decimal("1500.00")
            elif behaviour == "prepays" and number == 2:
                kind, amount = "prepayment", Decimal("2000.00")
            entries.append(_entry(loan_id, kind, on, amount))
        session.add_all(entries)
        session.flush()
        if behaviour == "reversed":
            undone = entries[1].id
            session.add(_entry(loan_id, "reversal", entries[-1].on, None, reverses=undone))


def _entry(loan_id: str, kind: str, on: date, amount: Decimal | None, reverses: int | None = None) -> SifoLoanEvent:
    return SifoLoanEvent(
        loan_id=loan_id,
        kind=kind,
        on=on,
        amount=amount,
        mode="reduce_installment" if amount is not None else None,
        reverses=reverses,
        reason="recorded twice" if reverses is not None else None,
        recorded_by="backoffice@pmv.example",
        recorded_at=RECORDED_AT,
    )


@pytest.mark.parametrize("day", [date(2026, 3, 1), date(2026, 6, 17), date(2026, 10, 31)])
def test_the_engine_values_each_loan_of_a_chunk_as_the_core_replays_it(sifo: Sifo, day: date) -> None:
    owners = financiers(sifo, 2)
    template = template_loan(sifo, owners[0])
    loan_ids = copies(sifo, template, owners, 3 * len(BEHAVIOURS))
    behaviour = {loan_id: BEHAVIOURS[n % len(BEHAVIOURS)] for n, loan_id in enumerate(loan_ids)}
    for loan_id in loan_ids:
        _store_history(sifo, loan_id, behaviour[loan_id])
    through = day + timedelta(days=14)
    ops = clocked(sifo)
    chunk = sorted([template.id, *loan_ids])
    with transaction(sifo.engine) as session:
        command = ops.command(session, ops.job_principal)
        valued = value_chunk(ops, command, chunk, day, through)
        uow, product = ops.lender.unit_of_work(command), ops.lender.product(command)
        for loan_id in chunk:
            state = core.load(uow, product, loan_id)
            live = segment_on(state.segments, day).live
            owed = live.installments_owed(day)
            expected = tuple(row for row in owed if row.due_date <= through) + tuple(
                [row for row in owed if row.due_date > through][:1]
            )
            if loan_id in valued:
                found = valued[loan_id]
                assert found.installments == expected, behaviour.get(loan_id)
                assert found.late_interest == live.position(day).late_interest, behaviour.get(loan_id)
                assert found.seen_entry_id == max((entry.id or 0 for entry in state.entries), default=0)
                assert found.account == state.account
    by_the_engine = {behaviour.get(loan_id, "on_time") for loan_id in valued}
    left_to_the_replay = {behaviour[loan_id] for loan_id in loan_ids if loan_id not in valued}
    assert all(loan_id in valued for loan_id in loan_ids if behaviour[loan_id] in ORDINARY)
    assert ORDINARY <= by_the_engine <= ORDINARY | {"too_much"}
    # a surplus before the last due date is a prepayment, and a reversal undoes an entry: the replay says
    assert {"prepays", "reversed"} <= left_to_the_replay
    if day >= date(2026, 6, 1):  # the monthly loans' third installment was paid with 1,500.00 too much
        assert "too_much" in left_to_the_replay
