"""The export's JSON document, written in pieces, is the one document the tables and heading describe."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from services.portfolio.exports import files
from services.portfolio.exports.files import Heading, json_file
from services.portfolio.exports.tables import Column, Kind, Table

HEADING = Heading("2026Q3", "2026-09-30", datetime(2026, 10, 1, 6, 30, tzinfo=UTC), {"book:1": 12, "book:0": 40})
TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=6)


@st.composite
def tables(draw: st.DrawFn) -> list[Table]:
    found = []
    for number in range(draw(st.integers(min_value=0, max_value=4))):
        width = draw(st.integers(min_value=1, max_value=4))
        columns = tuple(Column(f"c{index}", Kind.TEXT, draw(TEXT)) for index in range(width))
        rows = draw(st.lists(st.tuples(*[TEXT] * width), max_size=10))
        found.append(Table(f"table_{number}", draw(TEXT), columns, rows))
    return found


def _whole_document(heading: Heading, tables: list[Table]) -> dict[str, object]:
    return {
        **heading.to_json(),
        "tables": {
            table.name: {
                "title": table.title,
                "columns": [
                    {"name": column.name, "kind": column.kind.value, "description": column.description}
                    for column in table.columns
                ],
                "rows": [dict(zip([c.name for c in table.columns], row, strict=True)) for row in table.rows],
            }
            for table in tables
        },
    }


@settings(max_examples=60, deadline=None)
@given(tables(), st.integers(min_value=1, max_value=3))
def test_the_document_is_the_tables_as_one_compact_json_text(found: list[Table], rows_per_piece: int) -> None:
    original = files.JSON_ROWS_PER_PIECE
    files.JSON_ROWS_PER_PIECE = rows_per_piece
    try:
        written = json_file(HEADING, found)
    finally:
        files.JSON_ROWS_PER_PIECE = original
    expected = _whole_document(HEADING, found)
    assert json.loads(written.content) == expected
    assert written.content == (json.dumps(expected, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
    assert written.rows == sum(len(table.rows) for table in found)
