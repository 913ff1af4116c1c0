"""What a command prints: a rich table for people, the JSON itself with --json, problems readably."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from sefund.client import ApiError


def show(console: Console, as_json: bool, value: Any, columns: Sequence[str], title: str = "") -> None:
    """A record or a list of records: as JSON, or as a table of `columns` (nested keys with dots)."""
    rows = list(value) if isinstance(value, list | tuple) or not isinstance(value, dict) else [value]
    if as_json:
        console.print_json(json.dumps(value if isinstance(value, dict) else rows, default=str))
        return
    table = Table(title=title or None, show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(row, column) for column in columns))
    console.print(table)
    if not isinstance(value, dict):
        console.print(f"{len(rows)} shown")


def _cell(row: dict[str, Any], column: str) -> str:
    value: Any = row
    for part in column.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return "" if value is None else str(value)


def problem(console: Console, error: ApiError) -> None:
    """A problem document as a person reads it: what went wrong, which field, which request."""
    console.print(f"[bold red]{error.status} {error.title}[/]: {error.detail}")
    for item in error.errors:
        console.print(f"  [red]{item.get('field', '?')}[/]: {item.get('rule', '')}")
    if error.request_id:
        console.print(f"  request id: {error.request_id}")
