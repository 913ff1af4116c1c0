"""The programme's de minimis register until the shared state-aid register takes over: one row per measure."""

from __future__ import annotations

from sqlmodel import Session, select

from shared.platform.rules import NotFound
from shared.servicing.sql import SqlAidRegister

from services.energy.models import EnergyAidMeasure, EnergyApplicant


def lock_applicant(session: Session, enterprise_number: str) -> None:
    """The de minimis check of one undertaking runs under a lock on its applicant row."""
    applicant = session.exec(
        select(EnergyApplicant).where(EnergyApplicant.enterprise_number == enterprise_number).with_for_update()
    ).first()
    if applicant is None:
        raise NotFound("applicant with enterprise number", enterprise_number)


def aid_register(session: Session) -> SqlAidRegister:
    return SqlAidRegister(session, EnergyAidMeasure, lock_applicant)
