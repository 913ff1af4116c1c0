"""One line per figure that `make bench` prints at the end, each against its goal."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    benchmark: str
    measure: str
    value: str
    compared: str
    goal: str = ""


def print_table(figures: list[Figure]) -> None:
    header = ("benchmark", "measure", "value", "compared with", "goal")
    rows = [header, *((f.benchmark, f.measure, f.value, f.compared, f.goal) for f in figures)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    for index, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            print("  ".join("-" * width for width in widths))
