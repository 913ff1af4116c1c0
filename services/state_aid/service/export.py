"""The register as CSV for the auditors: every measure granted in a period, in a stable order."""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlmodel import Session, col, select

from services.state_aid.models import StateAidMeasure

COLUMNS = (
    "reference",
    "enterprise_number",
    "instrument",
    "provider",
    "source_reference",
    "grant_date",
    "gge",
    "reserved_gge",
    "reference_rate",
    "discount_rate",
    "legal_basis",
    "status",
    "recorded_by",
    "requested_by",
    "reason",
)


def register_csv(session: Session, first: date | None, last: date | None) -> str:
    """Measures with a grant date in [first, last] (open ends when absent), by grant date, enterprise, reference."""
    query = select(StateAidMeasure).order_by(
        col(StateAidMeasure.grant_date), col(StateAidMeasure.enterprise_number), col(StateAidMeasure.reference)
    )
    if first is not None:
        query = query.where(col(StateAidMeasure.grant_date) >= first)
    if last is not None:
        query = query.where(col(StateAidMeasure.grant_date) <= last)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in session.exec(query):
        values = [getattr(row, column) for column in COLUMNS]
        writer.writerow(["" if value is None else str(value) for value in values])
    return out.getvalue()
