"""What the portfolio consumes is written down: every type is folded, ignored, or parked as superseded,
and every export column is documented."""

from __future__ import annotations

from pathlib import Path

from shared.eventbus.registry import registered

from services.portfolio.app import CONSUMER, unhandled_types
from services.portfolio.events import BOOK_TYPES, IGNORED_TYPES
from services.portfolio.exports.tables import ALL_COLUMNS


def test_only_superseded_versions_are_left_without_a_handler() -> None:
    parked = unhandled_types()
    for name in parked:
        family, version = name.rsplit(".v", 1)
        newer = [
            other
            for other in registered()
            if other.startswith(f"{family}.v") and int(other.rsplit(".v", 1)[1]) > int(version)
        ]
        assert newer, f"{name} is the current version of its type and the book neither folds nor ignores it"
    assert not BOOK_TYPES.keys() & IGNORED_TYPES
    assert set(BOOK_TYPES) <= set(CONSUMER.handlers)


def test_every_export_column_is_documented(repository_root: Path) -> None:
    text = (repository_root / "docs" / "portfolio.md").read_text()
    for table, columns in ALL_COLUMNS.items():
        assert f"### `{table}.csv`" in text
        for column in columns:
            assert f"| `{column.name}` | {column.kind.value} |" in text, f"{table}.{column.name} is not documented"
