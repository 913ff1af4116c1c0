"""Trividend HTTP API: parse, authorise, call the use case, render. No rules live here."""

from fastapi import APIRouter

from services.trividend.api import decisions, equity, investees, loans, valuations

router = APIRouter()
for module in (investees, decisions, equity, loans, valuations):
    router.include_router(module.router)
