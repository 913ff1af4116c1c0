"""Trividend HTTP API: parse, authorise, call the use case, render. No rules live here."""

from fastapi import APIRouter

from services.trividend.api import decisions, equity, follow_up, investees, loans, operations, valuations

router = APIRouter()
for module in (investees, decisions, equity, loans, valuations, follow_up, operations):
    router.include_router(module.router)
