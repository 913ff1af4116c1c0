"""Energy HTTP API: parse, authorise, call the use case, render. No rules live here."""

from fastapi import APIRouter

from services.energy.api import applications, loans, operations, programme

router = APIRouter()
router.include_router(programme.router)
router.include_router(applications.router)
router.include_router(loans.router)
router.include_router(operations.router)
