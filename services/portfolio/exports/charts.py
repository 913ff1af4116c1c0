"""The export's charts as PNG (matplotlib, no display): composition, maturity profile, arrears history, aid use."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from services.portfolio.domain.loans import ARREARS_BUCKETS
from services.portfolio.exports.tables import Table


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    png: bytes


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


def _column(table: Table, name: str) -> list[str]:
    index = [column.name for column in table.columns].index(name)
    return [row[index] for row in table.rows]


def _amounts(values: list[str]) -> list[float]:
    """Chart heights only: the figures themselves stay decimal in every table."""
    return [float(Decimal(value or "0")) for value in values]


def composition(totals: Table) -> Chart:
    instruments = _column(totals, "instrument")
    outstanding = _amounts(_column(totals, "outstanding_principal"))
    committed = _amounts(_column(totals, "committed"))
    equity = _amounts(_column(totals, "equity_fair_value"))
    figure, axis = plt.subplots(figsize=(7, 4))
    axis.bar(instruments, outstanding, label="outstanding principal")
    axis.bar(instruments, committed, bottom=outstanding, label="committed")
    axis.bar(
        instruments,
        equity,
        bottom=[a + b for a, b in zip(outstanding, committed, strict=True)],
        label="equity at fair value",
    )
    axis.set_ylabel("EUR")
    axis.set_title("Composition per instrument")
    axis.legend()
    return Chart("composition", "Composition per instrument", _png(figure))


def maturity_profile(maturity: Table) -> Chart:
    years = sorted({int(year) for year in _column(maturity, "year")})
    instruments = sorted(set(_column(maturity, "instrument")))
    figure, axis = plt.subplots(figsize=(8, 4))
    bottom = [0.0] * len(years)
    for instrument in instruments:
        heights = [0.0] * len(years)
        for year, name, amount in zip(
            _column(maturity, "year"),
            _column(maturity, "instrument"),
            _amounts(_column(maturity, "principal")),
            strict=True,
        ):
            if name == instrument:
                heights[years.index(int(year))] += amount
        axis.bar([str(year) for year in years], heights, bottom=bottom, label=instrument)
        bottom = [a + b for a, b in zip(bottom, heights, strict=True)]
    axis.set_ylabel("EUR")
    axis.set_title("Maturity profile of outstanding principal")
    if instruments:
        axis.legend()
    return Chart("maturity_profile", "Maturity profile of outstanding principal", _png(figure))


def arrears_history(history: Table) -> Chart:
    quarters = _column(history, "quarter")
    figure, axis = plt.subplots(figsize=(8, 4))
    bottom = [0.0] * len(quarters)
    for bucket in ARREARS_BUCKETS:
        name = f"arrears_{bucket.name.replace('-', '_').replace('>', 'over_')}"
        heights = _amounts(_column(history, name))
        axis.bar(quarters, heights, bottom=bottom, label=f"{bucket.name} days")
        bottom = [a + b for a, b in zip(bottom, heights, strict=True)]
    axis.set_ylabel("EUR")
    axis.set_title("Arrears over the last eight quarters")
    axis.legend()
    return Chart("arrears_history", "Arrears over the last eight quarters", _png(figure))


def aid_against_ceiling(aid_use: Table) -> Chart:
    rows = sorted(
        zip(
            _column(aid_use, "enterprise_number"),
            _amounts(_column(aid_use, "granted_in_window")),
            _amounts(_column(aid_use, "ceiling")),
            strict=True,
        ),
        key=lambda row: (-row[1], row[0]),
    )[:10]
    figure, axis = plt.subplots(figsize=(8, 4))
    names = [row[0] for row in reversed(rows)]
    axis.barh(names, [row[1] for row in reversed(rows)], label="granted in the three-year window")
    if rows:
        axis.axvline(max(row[2] for row in rows), color="black", linestyle="--", label="ceiling")
        axis.legend()
    axis.set_xlabel("EUR")
    axis.set_title("Aid against the ceiling: ten largest beneficiaries")
    return Chart("aid_against_ceiling", "Aid against the ceiling, ten largest beneficiaries", _png(figure))


def export_charts(tables: dict[str, Table]) -> list[Chart]:
    return [
        composition(tables["totals"]),
        maturity_profile(tables["maturity_profile"]),
        arrears_history(tables["arrears_history"]),
        aid_against_ceiling(tables["aid_use"]),
    ]
