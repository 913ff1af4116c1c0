"""Each client method names the operation it calls, so a test can hold the client to the OpenAPI documents."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Operation:
    """The HTTP method and path template of the operation whose operationId is the method's name."""

    method: str
    path: str


def operation(method: str, path: str) -> Callable[[F], F]:
    def mark(function: F) -> F:
        function.__operation__ = Operation(method, path)  # type: ignore[attr-defined]
        return function

    return mark


def operations_of(client_class: type) -> dict[str, Operation]:
    """The operations a client class calls, by operationId (the method's name)."""
    return {
        name: member.__operation__
        for name in dir(client_class)
        if callable(member := getattr(client_class, name)) and hasattr(member, "__operation__")
    }
