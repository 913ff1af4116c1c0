"""Reserve, declare, confirm, lower, release and expire aid measures; headroom of an undertaking.

Every check of the ceiling runs under the lock of the single undertaking (see `undertakings`),
counts the reserved and granted aid of all its members and the aid they declared from other
providers, and refuses a grant that would pass the ceiling in any three-year window containing its
date (`shared.amortisation.state_aid.check_new_grant`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from shared.amortisation.state_aid import (
    DEFAULT_DE_MINIMIS,
    AidGrant,
    DeMinimisExceeded,
    Headroom,
    check_new_grant,
    headroom_for_grant,
)
from shared.contracts.state_aid import (
    AidCarried,
    AidOutcome,
    Instrument,
    MeasureStatus,
    OutcomeKind,
    ReservationRequest,
)
from shared.platform.rules import Conflict, NotFound, RuleViolation, required_text

from services.state_aid import events
from services.state_aid.domain.measures import (
    CountedMeasure,
    counted_grants,
    ensure_ceiling_in_force,
    legal_basis,
    reservation_ran_out,
)
from services.state_aid.domain.undertakings import Membership
from services.state_aid.models import StateAidMeasure
from services.state_aid.service.context import Command
from services.state_aid.service.undertakings import lock_undertaking, membership, windows_around

logger = logging.getLogger(__name__)

FUND_PROVIDERS = {
    Instrument.SIFO: "PMV - SIFO",
    Instrument.ENERGY: "Flemish Government - energy loans",
    Instrument.TRIVIDEND: "Trividend",
}


@dataclass(frozen=True)
class UndertakingHeadroom:
    enterprise_number: str
    on: date
    undertaking: frozenset[str]
    headroom: Headroom

    @property
    def window_end(self) -> date:
        return self.headroom.window_end or self.on

    @property
    def window_start(self) -> date:
        return DEFAULT_DE_MINIMIS.window_start(self.window_end) + timedelta(days=1)


def _counted(row: StateAidMeasure) -> CountedMeasure:
    return CountedMeasure(row.enterprise_number, row.grant_date, row.gge, MeasureStatus(row.status), row.reserved_until)


def measures_of(session: Session, enterprise_numbers: Iterable[str]) -> list[StateAidMeasure]:
    return list(
        session.exec(
            select(StateAidMeasure)
            .where(col(StateAidMeasure.enterprise_number).in_(sorted(set(enterprise_numbers))))
            .order_by(col(StateAidMeasure.grant_date), col(StateAidMeasure.created_at), col(StateAidMeasure.id))
        ).all()
    )


def _grants(
    session: Session, over_time: Membership, grant_date: date, now: datetime, excluding: str | None = None
) -> list[AidGrant]:
    """What counts now for a grant on `grant_date`: measures of everyone linked on a day of its windows."""
    rows = measures_of(session, over_time.during(*windows_around(grant_date)))
    return counted_grants((_counted(row) for row in rows if row.id != excluding), now)


def headroom(session: Session, enterprise_number: str, on: date, now: datetime) -> UndertakingHeadroom:
    """What a new grant on `on` may carry; reads without locking, so a reservation may take it first."""
    ensure_ceiling_in_force("on", on)
    over_time = membership(session, enterprise_number)
    grants = _grants(session, over_time, on, now)
    room = headroom_for_grant(grants, enterprise_number, on, members_on=over_time.on)
    return UndertakingHeadroom(enterprise_number, on, over_time.on(on), room)


def _expire_stale(command: Command, enterprise_numbers: Iterable[str]) -> None:
    for row in measures_of(command.session, enterprise_numbers):
        if reservation_ran_out(MeasureStatus(row.status), row.reserved_until, command.now):
            row.status = MeasureStatus.EXPIRED.value
            row.updated_at = command.now
            command.session.add(row)
            command.publish(events.measure_recorded(row))


def _same_request(row: StateAidMeasure, request: ReservationRequest, grant_date: date) -> bool:
    return (
        row.enterprise_number == request.enterprise_number
        and row.instrument == request.instrument.value
        and row.source_reference == request.source_reference
        and row.reserved_gge == request.gge
        and row.grant_date == grant_date
    )


def reserve(command: Command, request: ReservationRequest) -> tuple[StateAidMeasure, bool]:
    """Reserve the GGE of a lender's grant, or record one staff made as granted; (measure, created).

    The same reference with the same grant returns the measure it made. A reference whose
    reservation was never granted (still reserved, or run out) is reserved anew for the same
    lender, enterprise and loan: the lender's earlier transaction never committed and it tries
    again, perhaps another day or for another amount. Any other reuse of a reference is a
    conflict. Refused with the binding window's headroom when the ceiling would be passed.
    """
    if request.instrument is Instrument.OTHER_PROVIDER:
        raise RuleViolation("instrument", "aid from other providers is declared (POST /declarations), not reserved")
    grant_date = request.grant_date or command.today
    ensure_ceiling_in_force("grant_date", grant_date)
    command.policy.grant_dates.check(grant_date, command.today, command.is_staff, request.reason)
    # Staff record a grant that was made (no lender event will confirm it); a lender reserves.
    granted_now = command.is_staff
    over_time = lock_undertaking(command, request.enterprise_number, grant_date)
    existing = command.session.exec(
        select(StateAidMeasure).where(StateAidMeasure.reference == request.reference)
    ).first()
    _expire_stale(command, over_time.during(*windows_around(grant_date)))
    if existing is not None:
        status = MeasureStatus(existing.status)
        if _same_request(existing, request, grant_date) and status in (MeasureStatus.RESERVED, MeasureStatus.GRANTED):
            return existing, False
        if not _retried(existing, request):
            raise Conflict(
                f"reference {request.reference} already names the {status.value} {existing.instrument} measure "
                f"{existing.id} of enterprise {existing.enterprise_number} ({existing.reserved_gge} on "
                f"{existing.grant_date})",
                measure_id=existing.id,
            )
    _ensure_fits(command, request.enterprise_number, over_time, grant_date, request.gge, existing)
    fields: dict[str, Any] = {
        "enterprise_number": request.enterprise_number,
        "instrument": request.instrument.value,
        "provider": FUND_PROVIDERS[request.instrument],
        "source_reference": request.source_reference,
        "grant_date": grant_date,
        "gge": request.gge,
        "reserved_gge": request.gge,
        "reference_rate": request.reference_rate,
        "discount_rate": request.discount_rate,
        "legal_basis": legal_basis(grant_date),
        "status": (MeasureStatus.GRANTED if granted_now else MeasureStatus.RESERVED).value,
        "reserved_until": None if granted_now else command.now + command.policy.reservation_lifetime,
        "recorded_by": command.actor,
        "requested_by": request.requested_by,
        "reason": request.reason.strip() if request.reason and request.reason.strip() else None,
        "updated_at": command.now,
    }
    if existing is None:
        row = StateAidMeasure(id=str(uuid.uuid4()), reference=request.reference, created_at=command.now, **fields)
    else:
        row = existing
        for name, value in fields.items():
            setattr(row, name, value)
    _store(command, row)
    command.publish(events.measure_recorded(row))
    return row, True


def _store(command: Command, row: StateAidMeasure) -> None:
    """Write the measure; a reference another request recorded meanwhile (another undertaking's lock) is a 409."""
    command.session.add(row)
    try:
        command.session.flush()
    except IntegrityError:
        raise Conflict(
            f"reference {row.reference} was recorded by another request at the same moment; send this one again "
            "to get that measure"
        ) from None


def _retried(existing: StateAidMeasure, request: ReservationRequest) -> bool:
    return (
        existing.status in (MeasureStatus.RESERVED, MeasureStatus.EXPIRED)
        and existing.enterprise_number == request.enterprise_number
        and existing.instrument == request.instrument.value
        and existing.source_reference == request.source_reference
    )


def _ensure_fits(
    command: Command,
    enterprise_number: str,
    over_time: Membership,
    grant_date: date,
    gge: Decimal,
    replacing: StateAidMeasure | None = None,
) -> None:
    """Refuse with the binding window's figures and members when `gge` does not fit (409)."""
    excluding = replacing.id if replacing is not None else None
    grants = _grants(command.session, over_time, grant_date, command.now, excluding)
    try:
        check_new_grant(grants, AidGrant(enterprise_number, grant_date, gge), members_on=over_time.on)
    except DeMinimisExceeded as exc:
        end = exc.headroom.window_end or grant_date
        window = UndertakingHeadroom(enterprise_number, grant_date, over_time.on(end), exc.headroom)
        raise Conflict(
            exc.rule,
            ceiling=str(exc.headroom.ceiling),
            used=str(exc.headroom.used),
            available=str(exc.headroom.available),
            gge=str(gge),
            window_start=window.window_start.isoformat(),
            window_end=window.window_end.isoformat(),
            undertaking=sorted(window.undertaking),
        ) from None


@dataclass(frozen=True)
class Declaration:
    """Aid an enterprise declared from another provider (its de minimis declaration)."""

    enterprise_number: str
    provider: str
    gge: Decimal
    grant_date: date
    legal_basis: str
    reference: str


def declare(command: Command, declaration: Declaration) -> tuple[StateAidMeasure, bool]:
    """Record declared aid as granted. It is a fact, so it is never refused; it counts from now on."""
    ensure_ceiling_in_force("grant_date", declaration.grant_date)
    provider = required_text("provider", declaration.provider)
    basis = required_text("legal_basis", declaration.legal_basis)
    if declaration.grant_date > command.today:
        raise RuleViolation(
            "grant_date",
            f"{declaration.grant_date.isoformat()} is after today's business date {command.today.isoformat()};"
            " only aid already granted is declared",
        )
    lock_undertaking(command, declaration.enterprise_number, declaration.grant_date)
    existing = command.session.exec(
        select(StateAidMeasure).where(StateAidMeasure.reference == declaration.reference)
    ).first()
    if existing is not None:
        same = (
            existing.enterprise_number == declaration.enterprise_number
            and existing.provider == provider
            and existing.gge == declaration.gge
            and existing.grant_date == declaration.grant_date
        )
        if same:
            return existing, False
        raise Conflict(f"reference {declaration.reference} already names measure {existing.id}", measure_id=existing.id)
    row = StateAidMeasure(
        id=str(uuid.uuid4()),
        reference=declaration.reference,
        enterprise_number=declaration.enterprise_number,
        instrument=Instrument.OTHER_PROVIDER.value,
        provider=provider,
        source_reference=declaration.reference,
        grant_date=declaration.grant_date,
        gge=declaration.gge,
        reserved_gge=declaration.gge,
        legal_basis=basis,
        status=MeasureStatus.GRANTED.value,
        recorded_by=command.actor,
        created_at=command.now,
        updated_at=command.now,
    )
    _store(command, row)
    command.publish(events.measure_recorded(row))
    return row, True


def measure(session: Session, reference: str) -> StateAidMeasure:
    row = session.exec(select(StateAidMeasure).where(StateAidMeasure.reference == reference)).first()
    if row is None:
        raise NotFound("aid measure", reference)
    return row


def apply_outcome(command: Command, outcome: AidOutcome) -> StateAidMeasure:
    """A lender granted, lowered or released what it reserved; applying the same outcome twice changes nothing.

    A grant confirms a reservation even after it ran out, because the register records what was
    granted. Its headroom may have gone to another grant meanwhile, so it is checked again: a grant
    that passes the ceiling is recorded with the figures in its reason and logged as an error
    for the fund to act on.
    """
    row = measure(command.session, outcome.reference)
    before = (row.status, row.gge)
    if outcome.outcome is OutcomeKind.RELEASED:
        row.status = MeasureStatus.RELEASED.value
    elif row.status != MeasureStatus.RELEASED:
        if row.status == MeasureStatus.EXPIRED or reservation_ran_out(
            MeasureStatus(row.status), row.reserved_until, command.now
        ):
            _check_late_grant(command, row, outcome)
        row.status = MeasureStatus.GRANTED.value
        row.reserved_until = None
        if outcome.outcome is OutcomeKind.ADJUSTED:
            if outcome.gge is None:
                raise ValueError(f"outcome of {outcome.reference}: an adjustment carries the granted gge")
            row.gge = min(row.gge, outcome.gge)
    if (row.status, row.gge) != before:
        row.updated_at = command.now
        command.session.add(row)
        command.publish(events.measure_recorded(row))
    return row


def _check_late_grant(command: Command, row: StateAidMeasure, outcome: AidOutcome) -> None:
    gge = min(row.gge, outcome.gge) if outcome.gge is not None else row.gge
    over_time = lock_undertaking(command, row.enterprise_number, row.grant_date)
    try:
        _ensure_fits(command, row.enterprise_number, over_time, row.grant_date, gge, row)
    except Conflict as exc:
        logger.error("aid granted after its reservation ran out passes the de minimis ceiling: %s", exc.detail)
        row.reason = f"granted after its reservation ran out, past the ceiling: {exc.detail}"[:1000]


def record_carried(command: Command, instrument: Instrument, carried: AidCarried) -> StateAidMeasure:
    """A lender's measure from before the register: recorded once as granted (it was granted then), unchecked."""
    existing = command.session.exec(
        select(StateAidMeasure).where(StateAidMeasure.reference == carried.reference)
    ).first()
    if existing is not None:
        return existing
    lock_undertaking(command, carried.enterprise_number, carried.grant_date)
    row = StateAidMeasure(
        id=str(uuid.uuid4()),
        reference=carried.reference,
        enterprise_number=carried.enterprise_number,
        instrument=instrument.value,
        provider=FUND_PROVIDERS[instrument],
        source_reference=carried.source_reference,
        grant_date=carried.grant_date,
        gge=carried.gge,
        reserved_gge=carried.gge,
        reference_rate=carried.reference_rate,
        discount_rate=carried.discount_rate,
        legal_basis=legal_basis(carried.grant_date),
        status=MeasureStatus.GRANTED.value,
        recorded_by=command.actor,
        reason=f"carried over from the {instrument.value} service's own register",
        created_at=command.now,
        updated_at=command.now,
    )
    command.session.add(row)
    command.session.flush()
    command.publish(events.measure_recorded(row))
    return row


def expire_reservations(command: Command) -> list[StateAidMeasure]:
    """Mark every reservation whose time ran out; they stopped counting already."""
    stale = command.session.exec(
        select(StateAidMeasure)
        .where(
            StateAidMeasure.status == MeasureStatus.RESERVED.value,
            col(StateAidMeasure.reserved_until) <= command.now,
        )
        .order_by(col(StateAidMeasure.enterprise_number))
        .with_for_update(skip_locked=True)
    ).all()
    for row in stale:
        row.status = MeasureStatus.EXPIRED.value
        row.updated_at = command.now
        command.session.add(row)
        command.publish(events.measure_recorded(row))
    return list(stale)
