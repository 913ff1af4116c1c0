"""The files of a quarterly export: CSV per table, one JSON document, the workbook, the charts and a manifest.

CSV and JSON hold only what the book gives for the quarter (no time of writing), so exporting the
same quarter again gives the same bytes. The workbook's document date is the export's knowledge
cut-off for the same reason; the charts carry no software stamp.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from services.portfolio.exports.charts import Chart
from services.portfolio.exports.tables import Table
from services.portfolio.exports.workbook import workbook

CSV = "text/csv"
JSON = "application/json"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PNG = "image/png"


@dataclass(frozen=True)
class ExportFile:
    name: str
    media_type: str
    content: bytes
    rows: int | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class Heading:
    """What every file says about itself: the quarter, its last day and the book's knowledge cut-off
    (the first offset not counted per ``topic:partition``, and when it was fixed)."""

    quarter: str
    as_of: str
    fixed_at: datetime
    cut_off: Mapping[str, int]

    def to_json(self) -> dict[str, object]:
        return {
            "quarter": self.quarter,
            "as_of": self.as_of,
            "cut_off_fixed_at": self.fixed_at.astimezone(UTC).isoformat(),
            "cut_off": dict(sorted(self.cut_off.items())),
        }


def csv_file(table: Table) -> ExportFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([column.name for column in table.columns])
    writer.writerows(table.rows)
    return ExportFile(f"{table.name}.csv", CSV, buffer.getvalue().encode("utf-8"), len(table.rows))


JSON_ROWS_PER_PIECE = 2_000
"""Rows turned into objects and encoded at a time: a national book's rows as objects all at once
took more memory than anything else in the export."""


def json_file(heading: Heading, tables: list[Table]) -> ExportFile:
    """One document: the heading, then per table its title, columns and rows (each row an object by column name).

    Compact: an indent sends json to its pure-Python encoder, minutes for a national book's rows.
    """
    return ExportFile(
        "portfolio.json",
        JSON,
        b"".join(piece.encode("utf-8") for piece in _json_pieces(heading, tables)),
        sum(len(table.rows) for table in tables),
    )


def _json_pieces(heading: Heading, tables: list[Table]) -> Iterator[str]:
    """The document's text in pieces of at most `JSON_ROWS_PER_PIECE` rows; together, what `json.dumps` writes of it."""
    yield _compact({**heading.to_json(), "tables": {}}).removesuffix("}}")
    for number, table in enumerate(tables):
        names = [column.name for column in table.columns]
        described = {
            "title": table.title,
            "columns": [{"name": c.name, "kind": c.kind.value, "description": c.description} for c in table.columns],
            "rows": [],
        }
        yield ("," if number else "") + _compact(table.name) + ":" + _compact(described).removesuffix("]}")
        for first in range(0, len(table.rows), JSON_ROWS_PER_PIECE):
            rows = [dict(zip(names, row, strict=True)) for row in table.rows[first : first + JSON_ROWS_PER_PIECE]]
            yield ("," if first else "") + _compact(rows)[1:-1]
        yield "]}"
    yield "}}\n"


def _compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def manifest_file(heading: Heading, files: list[ExportFile]) -> ExportFile:
    document = {
        **heading.to_json(),
        "files": [
            {
                "name": item.name,
                "media_type": item.media_type,
                "rows": item.rows,
                "bytes": len(item.content),
                "sha256": item.sha256,
            }
            for item in sorted(files, key=lambda item: item.name)
        ],
    }
    return ExportFile("manifest.json", JSON, (json.dumps(document, indent=2) + "\n").encode("utf-8"))


def export_files(heading: Heading, tables: list[Table], charts: list[Chart]) -> list[ExportFile]:
    """Every file of the export, the manifest last."""
    files = [csv_file(table) for table in tables]
    files.append(json_file(heading, tables))
    files.append(
        ExportFile(
            f"portfolio-{heading.quarter}.xlsx",
            XLSX,
            workbook(heading.quarter, heading.as_of, heading.fixed_at, tables, charts),
        )
    )
    files.extend(ExportFile(f"{chart.name}.png", PNG, chart.png) for chart in charts)
    files.append(manifest_file(heading, files))
    return files
