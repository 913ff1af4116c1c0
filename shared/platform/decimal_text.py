"""Decimal fields that JSON carries as strings only: money, rates, quantities.

A JSON number is a binary float to most clients: `0.1 + 0.2` is not `0.3`, and 12345678901234.57
does not survive the trip. So an amount is refused when it arrives as a JSON number, and the
OpenAPI document publishes it as a string with the pattern the API checks, so generated clients
and forms send what will be accepted. Python callers may still pass `Decimal` values.

Use it as annotation metadata: ``Money = Annotated[Decimal, DecimalText(digits=18, places=2, gt=0)]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

Limit = Decimal | int | None
PLAIN_DECIMAL = re.compile(r"-?\d+(\.\d+)?")


@dataclass(frozen=True)
class DecimalText:
    """At most `digits` digits of which `places` decimals, within the bounds, written as a JSON string.

    Negative values are allowed only when neither `gt` nor `ge` is zero or more.
    """

    digits: int
    places: int
    gt: Limit = None
    ge: Limit = None
    lt: Limit = None
    le: Limit = None
    example: str = "0.00"

    @property
    def pattern(self) -> str:
        """The published shape: a sign only when negatives are allowed, then the digits and decimals."""
        signed = not ((self.gt is not None and self.gt >= 0) or (self.ge is not None and self.ge >= 0))
        integer = rf"\d{{1,{self.digits - self.places}}}"
        fraction = rf"(\.\d{{1,{self.places}}})?" if self.places else ""
        return f"^{'-?' if signed else ''}{integer}{fraction}$"

    @property
    def bounds(self) -> str:
        limits = (("greater than", self.gt), ("at least", self.ge), ("less than", self.lt), ("at most", self.le))
        return " and ".join(f"{word} {limit}" for word, limit in limits if limit is not None)

    @property
    def shape(self) -> str:
        return f'a decimal string with at most {self.places} decimals, such as "{self.example}"'

    def only_text(self, value: object) -> object:
        """Refuse JSON numbers and other notations (exponents, spaces, signs); digits, decimals and
        bounds are then checked by pydantic's decimal rules, whose messages name each limit."""
        if isinstance(value, bool | int | float):
            raise ValueError(f"must be {self.shape}, not a JSON number: numbers lose cents in binary floating point")
        if isinstance(value, str) and not PLAIN_DECIMAL.fullmatch(value):
            raise ValueError(f"must be {self.shape}" + (f", {self.bounds}" if self.bounds else ""))
        return value

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        checked = core_schema.decimal_schema(
            max_digits=self.digits,
            decimal_places=self.places,
            gt=_decimal(self.gt),
            ge=_decimal(self.ge),
            lt=_decimal(self.lt),
            le=_decimal(self.le),
        )
        return core_schema.no_info_before_validator_function(self.only_text, checked)

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        published: JsonSchemaValue = {"type": "string", "pattern": self.pattern, "examples": [self.example]}
        if self.bounds:
            published["description"] = f"decimal string, {self.bounds}"
        return published


def _decimal(limit: Limit) -> Decimal | None:
    return None if limit is None else Decimal(limit)
