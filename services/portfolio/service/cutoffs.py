"""A quarter's knowledge cut-off: which events its exports count.

The cut-off is a position in every topic partition the portfolio reads: the first offset not
counted. It is fixed when the first export of a quarter is requested, from what the book had read
by then. Offsets are the same whenever the topics are read, so the cut-off means the same after a
replay into an empty database; publication times would not (a relay or consumer that lags would
let an event published before the cut-off arrive after it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from shared.platform.business_date import as_utc

from services.portfolio.models import PortfolioEvent, PortfolioQuarterCutoff, PortfolioRepayment

Cutoff = Mapping[str, int]


def position_key(topic: str, partition: int) -> str:
    return f"{topic}:{partition}"


def counted(cutoff: Cutoff | None, table: type[PortfolioEvent] | type[PortfolioRepayment]) -> sa.ColumnElement[bool]:
    """Which stored facts count under `cutoff`, as a condition on `table` (every fact without one)."""
    if cutoff is None:
        return sa.true()
    places = []
    for key, first_not_counted in cutoff.items():
        topic, _, partition = key.rpartition(":")
        places.append(
            sa.and_(
                col(table.topic) == topic,
                col(table.partition) == int(partition),
                col(table.offset) < first_not_counted,
            )
        )
    return sa.or_(sa.false(), *places)


def read_so_far(session: Session) -> dict[str, int]:
    """For each topic and partition, the first offset the book has not read."""
    rows = session.exec(
        select(PortfolioEvent.topic, PortfolioEvent.partition, func.max(PortfolioEvent.offset)).group_by(
            col(PortfolioEvent.topic), col(PortfolioEvent.partition)
        )
    ).all()
    return {position_key(topic, partition): last + 1 for topic, partition, last in rows}


def positions_of(row: PortfolioQuarterCutoff) -> dict[str, int]:
    positions: dict[str, int] = json.loads(row.positions)
    return positions


def keep_cutoff(session: Session, quarter: str, fixed_at: datetime, positions: Cutoff) -> PortfolioQuarterCutoff:
    """The quarter's cut-off: the one already fixed, or else this one (concurrent callers agree on one)."""
    values = {
        "quarter": quarter,
        "fixed_at": as_utc(fixed_at),
        "positions": json.dumps(dict(sorted(positions.items()))),
    }
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(PortfolioQuarterCutoff).values(**values).on_conflict_do_nothing())
    row = session.get(PortfolioQuarterCutoff, quarter)
    assert row is not None
    return row
