"""State-aid register HTTP API: parse, authorise, call the use case, render. No rules live here."""

from fastapi import APIRouter

from services.state_aid.api import register, reservations, undertakings

router = APIRouter()
for module in (reservations, undertakings, register):
    router.include_router(module.router)
