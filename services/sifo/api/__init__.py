"""SIFO HTTP API: parse, authorise, call the use case, render. No rules live here."""

from fastapi import APIRouter

from services.sifo.api import decisions, drawing_rights, financiers, loans, operations, servicing

router = APIRouter()
for module in (financiers, drawing_rights, loans, servicing, decisions, operations):
    router.include_router(module.router)
