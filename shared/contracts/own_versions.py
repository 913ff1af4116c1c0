"""Payloads defined once and registered by each producer under its own name, found again by their base."""

from __future__ import annotations

from types import ModuleType
from typing import TypeVar

from pydantic import BaseModel

Payload = TypeVar("Payload", bound=BaseModel)


def one_subclass_in(module: ModuleType, base: type[Payload]) -> type[Payload]:
    """The producer's own registered version of a shared payload: the one subclass of `base` in `module`."""
    found = [
        value
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, base) and value is not base
    ]
    if len(found) != 1:
        raise TypeError(f"{module.__name__} must define exactly one subclass of {base.__name__}, not {found}")
    return found[0]
