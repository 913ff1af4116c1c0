"""Scheduled Trividend work: the daily repayment operations of its loans (payouts, due and overdue runs).

Run as ``python -m services.trividend job <name> [--date D]`` and started daily by ``scheduler``;
each is a recorded job run, idempotent per (job, date).
"""

from __future__ import annotations

from shared.loan_operations.jobs import DAILY, operations_jobs

from services.trividend.app import operations

WORKS = DAILY
JOBS = operations_jobs(operations, WORKS)
