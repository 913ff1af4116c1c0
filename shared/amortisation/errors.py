"""The one exception the engine raises for bad input: it names the field and the rule."""

from __future__ import annotations


class InvalidTerms(ValueError):
    """Input the engine cannot accept; `field` and `rule` say what to change."""

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule
