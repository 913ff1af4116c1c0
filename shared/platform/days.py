"""The range of calendar days the platform accepts as input: 2000-01-01 to 2199-12-31.

The funds began lending in the 2000s, so an earlier day is a typing error, and so is one after
2199: schedules of decades from the latest accepted day still fit Python's calendar. The range
is published in each OpenAPI document (``formatMinimum``/``formatMaximum``) so generated
clients and forms refuse the same days.
Only what comes *in* is bounded; days the platform computes (a maturity, say) are not.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2199, 12, 31)

Day = Annotated[
    date,
    Field(
        ge=FIRST_DAY,
        le=LAST_DAY,
        json_schema_extra={"formatMinimum": FIRST_DAY.isoformat(), "formatMaximum": LAST_DAY.isoformat()},
    ),
]
"""A calendar day given by a caller (a request body field or a query parameter)."""
