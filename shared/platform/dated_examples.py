"""Example request bodies whose dates are relative to the day the OpenAPI document is read.

An example that says "start on 2026-04-01" is refused once that day has passed, and "try it out"
then answers 422. Bodies whose dates must lie ahead (a loan's start, a call's closing day) or may
not lie ahead (a dividend, a conversion) build their example from today's business date instead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from pydantic import ConfigDict

from shared.platform.business_date import business_today


def dated_example(build: Callable[[date], dict[str, Any]]) -> ConfigDict:
    """Refuse unknown fields and show `build(today)` as the example, computed when the schema is made."""

    def add_example(schema: dict[str, Any]) -> None:
        schema["examples"] = [build(business_today())]

    return ConfigDict(extra="forbid", json_schema_extra=add_example)


def first_of_next_month(today: date) -> date:
    return today.replace(day=1) + relativedelta(months=1)
