"""Enterprises and their links, and the lock that makes one undertaking's checks run one at a time.

Locking order, the same in every transaction so none can deadlock another: first the link table
(SHARE for a reservation, SHARE ROW EXCLUSIVE to record a link, so the undertaking cannot change
while a reservation checks it), then the enterprise rows in enterprise-number order. SQLite has one
writer at a time and needs neither.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from dateutil.relativedelta import relativedelta
from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, or_, select

from shared.amortisation.state_aid import DEFAULT_DE_MINIMIS
from shared.platform.rules import RuleViolation, required_text

from services.state_aid import events
from services.state_aid.domain.undertakings import Link, Membership
from services.state_aid.models import StateAidEnterprise, StateAidLink
from services.state_aid.service.context import Command


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def lock_links(session: Session, exclusive: bool) -> None:
    if _postgres(session):
        mode = "SHARE ROW EXCLUSIVE" if exclusive else "SHARE"
        session.execute(text(f"LOCK TABLE state_aid_link IN {mode} MODE"))


def ensure_enterprises(command: Command, enterprise_numbers: Iterable[str]) -> None:
    """Add the enterprises the register has not seen yet; concurrent callers add each one once."""
    session = command.session
    for number in sorted(set(enterprise_numbers)):
        values = {"enterprise_number": number, "created_at": command.now}
        dialect = postgresql if _postgres(session) else sqlite
        session.execute(dialect.insert(StateAidEnterprise).values(**values).on_conflict_do_nothing())


def links_of(session: Session) -> list[Link]:
    rows = session.exec(select(StateAidLink)).all()
    return [Link(row.enterprise_number, row.linked_enterprise_number, row.valid_from, row.valid_until) for row in rows]


def membership(session: Session, enterprise_number: str) -> Membership:
    return Membership(enterprise_number, tuple(links_of(session)))


def windows_around(grant_date: date) -> tuple[date, date]:
    """The first and last day of the windows that contain `grant_date` (they end up to three years later)."""
    try:
        return grant_date, grant_date + relativedelta(years=DEFAULT_DE_MINIMIS.window_years)
    except (OverflowError, ValueError):
        return grant_date, date.max


def lock_undertaking(command: Command, enterprise_number: str, grant_date: date) -> Membership:
    """Lock every enterprise of the undertaking on any day of a window containing `grant_date`.

    Returns the membership over time: the check counts, for each window, the undertaking as it
    stands on the window's last day.
    """
    session = command.session
    lock_links(session, exclusive=False)
    ensure_enterprises(command, [enterprise_number])
    over_time = membership(session, enterprise_number)
    session.exec(
        select(StateAidEnterprise)
        .where(col(StateAidEnterprise.enterprise_number).in_(sorted(over_time.during(*windows_around(grant_date)))))
        .order_by(col(StateAidEnterprise.enterprise_number))
        .with_for_update()
    ).all()
    return over_time


def record_link(
    command: Command,
    enterprise_number: str,
    linked_enterprise_number: str,
    valid_from: date,
    valid_until: date | None,
    reason: str,
) -> StateAidLink:
    if enterprise_number == linked_enterprise_number:
        raise RuleViolation("linked_enterprise_number", f"{linked_enterprise_number} is the enterprise itself")
    if valid_until is not None and valid_until < valid_from:
        raise RuleViolation("valid_until", f"{valid_until.isoformat()} is before valid_from {valid_from.isoformat()}")
    reason = required_text("reason", reason)
    session = command.session
    lock_links(session, exclusive=True)
    ensure_enterprises(command, [enterprise_number, linked_enterprise_number])
    pair = sorted((enterprise_number, linked_enterprise_number))
    overlapping = session.exec(
        select(StateAidLink).where(
            or_(
                (col(StateAidLink.enterprise_number) == pair[0])
                & (col(StateAidLink.linked_enterprise_number) == pair[1]),
                (col(StateAidLink.enterprise_number) == pair[1])
                & (col(StateAidLink.linked_enterprise_number) == pair[0]),
            )
        )
    ).all()
    for existing in overlapping:
        if _overlap(existing.valid_from, existing.valid_until, valid_from, valid_until):
            raise RuleViolation(
                "valid_from",
                f"enterprises {pair[0]} and {pair[1]} are already linked from {existing.valid_from.isoformat()}"
                f" to {existing.valid_until.isoformat() if existing.valid_until else 'open end'} (link {existing.id})",
            )
    row = StateAidLink(
        enterprise_number=enterprise_number,
        linked_enterprise_number=linked_enterprise_number,
        valid_from=valid_from,
        valid_until=valid_until,
        reason=reason,
        recorded_by=command.actor,
        recorded_at=command.now,
    )
    session.add(row)
    session.flush()
    command.publish(events.link_recorded(row))
    return row


def _overlap(start: date, end: date | None, other_start: date, other_end: date | None) -> bool:
    return (end is None or other_start <= end) and (other_end is None or start <= other_end)


def links_involving(session: Session, enterprise_numbers: Iterable[str]) -> list[StateAidLink]:
    numbers = sorted(set(enterprise_numbers))
    return list(
        session.exec(
            select(StateAidLink)
            .where(
                or_(
                    col(StateAidLink.enterprise_number).in_(numbers),
                    col(StateAidLink.linked_enterprise_number).in_(numbers),
                )
            )
            .order_by(col(StateAidLink.id))
        ).all()
    )
