"""Repayment operations over HTTP: mandates, payment requests, bank files and statements, job runs."""

from shared.loan_operations.routes import operations_router

from services.sifo.api.commands import execute, read
from services.sifo.service.servicing import visible

router = operations_router(execute, read, visible, financiers_read_their_loans=True)
