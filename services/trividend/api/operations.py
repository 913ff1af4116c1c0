"""Repayment operations over HTTP: mandates, payment requests, bank files and statements, job runs."""

from typing import Any

from shared.loan_operations.routes import operations_router, with_status

from services.trividend.api.commands import execute, read
from services.trividend.service.loans import loan_of


def _visible(command: Any, loan_id: str) -> None:
    loan_of(command, loan_id)


router = operations_router(with_status(execute), read, _visible)
