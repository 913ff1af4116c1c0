"""Portfolio HTTP API: parse, authorise, call the use case, render. No rules live here."""

from fastapi import APIRouter

from services.portfolio.api import book, exports, financiers, parked

router = APIRouter()
for module in (book, financiers, exports, parked):
    router.include_router(module.router)
