"""Payouts: an approved disbursement is queued, and the day's payout run puts the queue into pain.001 files.

A service queues a payout in the transaction that approves the disbursement (`queue`). The
payout run for a business date takes every payout not yet in a file (a catch-up run for an
earlier day takes those approved since as well: nothing waits longer than it must), and writes one pain.001
file per debtor account for the day, each payout executed on its requested date or, when that
has passed, on the run's day, moved to a TARGET2 business day. A payout is in one file only.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from shared.banking.credit_transfers import Debtor, Disbursement, credit_transfer_xml
from shared.eventbus.command import CommandContext
from shared.loan_operations.job_runs import Counts, Progress
from shared.loan_operations.lender import LenderOperations
from shared.loan_operations.rules import execution_date
from shared.loan_operations.tables import PayoutColumns
from shared.platform.database import transaction

C = TypeVar("C", bound=CommandContext)

PAYOUT_RUN = "payout-run"
PAIN_001 = "pain.001"


def queue(
    session: Session,
    table: type[PayoutColumns],
    *,
    loan_id: str,
    decision_id: str,
    amount: Decimal,
    creditor_name: str,
    creditor_iban: str,
    debtor: Debtor,
    requested_on: date,
    remittance: str,
    now: datetime,
) -> PayoutColumns:
    """Queue the payout of an approved disbursement for the next payout run (in the approval's transaction)."""
    row = table(
        id=str(uuid.uuid4()),
        loan_id=loan_id,
        decision_id=decision_id,
        amount=amount,
        creditor_name=creditor_name[:200],
        creditor_iban=creditor_iban,
        debtor_name=debtor.name,
        debtor_iban=debtor.iban,
        debtor_bic=debtor.bic,
        requested_on=requested_on,
        end_to_end_id=loan_id.replace("-", "")[:32],
        remittance=remittance[:140],
        created_at=now,
    )
    session.add(row)
    return row


def run(ops: LenderOperations[C], engine: Engine, day: date, progress: Progress) -> Counts:
    counts: Counter[str] = Counter()
    with transaction(engine) as session:
        command = ops.command(session, ops.job_principal)
        table = ops.tables.payout
        rows = session.exec(
            select(table)
            .where(col(table.file_id).is_(None))
            .order_by(col(table.created_at), col(table.id))
            .with_for_update()
        ).all()
        progress.total(len(rows))
        by_account: dict[str, list[PayoutColumns]] = defaultdict(list)
        for row in rows:
            by_account[row.debtor_iban].append(row)
        # Files are made today: an execution date is never before the run's day or today (a catch-up).
        earliest = max(day, command.today)
        for iban, payouts in sorted(by_account.items()):
            # The account's name and BIC as queued last (a settings change applies to the whole file).
            name, bic = payouts[-1].debtor_name, payouts[-1].debtor_bic
            file_id = str(uuid.uuid4())
            transfers = []
            for payout in payouts:
                payout.execution_on = execution_date(payout.requested_on, earliest)
                payout.file_id = file_id
                session.add(payout)
                transfers.append(
                    Disbursement(
                        end_to_end_id=payout.end_to_end_id,
                        creditor_name=payout.creditor_name,
                        creditor_iban=payout.creditor_iban,
                        amount=payout.amount,
                        execution_date=payout.execution_on,
                        remittance=payout.remittance,
                    )
                )
            message_id = ops.message_id("CT", day, file_id)
            ops.add_bank_file(
                session,
                file_id=file_id,
                kind=PAIN_001,
                day=day,
                account_iban=iban,
                message_id=message_id,
                amounts=[payout.amount for payout in payouts],
                document=credit_transfer_xml(Debtor(name, iban, bic), transfers, message_id, command.now),
                now=command.now,
            )
            counts["payout_files"] += 1
            counts["payouts"] += len(payouts)
        progress.advance(len(rows))
    return dict(counts)
