"""Applicants: sheltered and social workshops, and their sites."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from shared.platform.external_ids import ensure_unused
from shared.platform.rules import Conflict, NotFound, RuleViolation

from services.energy.domain.installations import parse_workshop_type
from services.energy.models import EnergyApplicant, EnergySite
from services.energy.service.context import Command


@dataclass(frozen=True)
class SiteRequest:
    name: str
    address: str
    yearly_energy_need_kwh: Decimal


def register_applicant(
    command: Command,
    enterprise_number: str,
    name: str,
    workshop_type: str,
    recognition_number: str,
    sites: list[SiteRequest],
    iban: str | None = None,
    external_id: str | None = None,
) -> tuple[EnergyApplicant, list[EnergySite]]:
    kind = parse_workshop_type(workshop_type)
    if not sites:
        raise RuleViolation("sites", "at least one site is required")
    existing = command.session.exec(
        select(EnergyApplicant).where(EnergyApplicant.enterprise_number == enterprise_number)
    ).first()
    if existing is not None:
        raise Conflict(
            f"enterprise_number {enterprise_number} is already applicant {existing.id}", applicant_id=existing.id
        )
    ensure_unused(command.session, EnergyApplicant, external_id, "applicant")
    applicant = EnergyApplicant(
        id=str(uuid.uuid4()),
        enterprise_number=enterprise_number,
        name=name,
        workshop_type=kind.value,
        recognition_number=recognition_number,
        iban=iban,
        external_id=external_id,
        created_at=command.now,
        created_by=command.actor,
    )
    command.session.add(applicant)
    try:
        command.session.flush()
    except IntegrityError:
        raise Conflict(f"enterprise_number {enterprise_number} is already an applicant") from None
    rows = [
        EnergySite(
            id=str(uuid.uuid4()),
            applicant_id=applicant.id,
            name=site.name,
            address=site.address,
            yearly_energy_need_kwh=site.yearly_energy_need_kwh,
        )
        for site in sites
    ]
    command.session.add_all(rows)
    command.session.flush()
    return applicant, rows


def applicant_with_sites(command: Command, applicant_id: str) -> tuple[EnergyApplicant, list[EnergySite]]:
    applicant = command.session.get(EnergyApplicant, applicant_id)
    if applicant is None:
        raise NotFound("applicant", applicant_id)
    sites = command.session.exec(
        select(EnergySite).where(EnergySite.applicant_id == applicant_id).order_by(col(EnergySite.name))
    ).all()
    return applicant, list(sites)
