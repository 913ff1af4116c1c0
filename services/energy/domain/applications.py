"""An energy loan application: the amount asked for, its caps, and the documents of the file.

docs/programmes.md: an energy loan "may cover the whole investment, capped by the company's yearly energy
need", per enterprise or per site, and the file holds seven documents before PFV decides.

* The amount may be the whole eligible investment cost (the sum of the installations' costs),
  never more.
* The energy need caps the installations, not the euros: the expected PV production (sum of the
  PV installations' `yearly_production_kwh`) may not exceed the site's yearly energy need. The
  refusal names the field `installations`, because resizing the PV is what the applicant does about
  it (a wrong need figure is corrected in `site_yearly_need_kwh` and the rule re-run). Heat pumps and
  solar boilers deliver heat that replaces fuel; their output is not compared with the need.
* A call may cap the total requested per applicant and per site; what the applicant or the site
  already requested in the same call counts towards it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from shared.amortisation.money import CENT
from shared.platform.rules import RuleViolation

from services.energy.domain.installations import (
    Installation,
    check_installations,
    pv_yearly_production_kwh,
    total_investment_cost,
)


def check_application(
    requested_amount: Decimal,
    installations: Sequence[Installation],
    site_yearly_need_kwh: Decimal,
    call_max_per_applicant: Decimal | None,
    call_max_per_site: Decimal | None,
    already_requested_by_applicant: Decimal,
    already_requested_for_site: Decimal,
) -> None:
    """Refuse the first rule the application breaks (module docstring); None when it may be submitted."""
    check_installations(installations)
    if requested_amount <= 0:
        raise RuleViolation("requested_amount", f"{requested_amount} must be greater than 0.00")
    if requested_amount != requested_amount.quantize(CENT):
        raise RuleViolation("requested_amount", f"{requested_amount} has more than two decimals")
    eligible = total_investment_cost(installations)
    if requested_amount > eligible:
        raise RuleViolation(
            "requested_amount",
            f"requested_amount {requested_amount} exceeds the eligible investment cost {eligible}",
            eligible_investment_cost=str(eligible),
        )
    if site_yearly_need_kwh <= 0:
        raise RuleViolation("site_yearly_need_kwh", f"{site_yearly_need_kwh} must be greater than 0")
    production = pv_yearly_production_kwh(installations)
    if production > site_yearly_need_kwh:
        raise RuleViolation(
            "installations",
            f"the expected PV production of {production} kWh a year exceeds the site's yearly energy need "
            f"site_yearly_need_kwh {site_yearly_need_kwh} kWh; an energy loan is capped by that need",
            pv_yearly_production_kwh=str(production),
            site_yearly_need_kwh=str(site_yearly_need_kwh),
        )
    for name, already in (
        ("already_requested_by_applicant", already_requested_by_applicant),
        ("already_requested_for_site", already_requested_for_site),
    ):
        if already < 0:
            raise RuleViolation(name, f"{already} must not be negative")
    _check_call_maximum(requested_amount, call_max_per_applicant, already_requested_by_applicant, "applicant")
    _check_call_maximum(requested_amount, call_max_per_site, already_requested_for_site, "site")


def _check_call_maximum(requested: Decimal, maximum: Decimal | None, already: Decimal, per: str) -> None:
    if maximum is None or requested + already <= maximum:
        return
    raise RuleViolation(
        "requested_amount",
        f"requested_amount {requested} plus {already} already requested for this {per} in the call "
        f"({requested + already}) exceeds the call's maximum per {per} {maximum}",
        maximum=str(maximum),
        already_requested=str(already),
        remaining=str(max(maximum - already, Decimal("0.00"))),
    )


# --------------------------------------------------------------------------- documents


class Document(enum.StrEnum):
    """The documents of an energy loan file (docs/programmes.md), in the order they are listed."""

    APPLICATION_FORM = "application_form"
    FEASIBILITY_STUDY = "feasibility_study"
    INSTALLER_QUOTE = "installer_quote"
    PROCUREMENT_REPORT = "procurement_report"  # report of the procurement consultation
    DE_MINIMIS_DECLARATION = "de_minimis_declaration"
    STATUTES = "statutes"
    LATEST_ACCOUNTS = "latest_accounts"


def parse_document(value: object) -> Document:
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return Document(value)
    except ValueError:
        allowed = " | ".join(document.value for document in Document)
        raise RuleViolation("documents", f"{value!r} is not one of {allowed}") from None


@dataclass(frozen=True)
class DocumentChecklist:
    """Which documents of the file were received.

    An application may be submitted with documents missing; `ensure_complete` is called before a
    decision. `required` is every document unless configured otherwise.
    """

    received: frozenset[Document] = frozenset()
    required: tuple[Document, ...] = field(default=tuple(Document))

    @classmethod
    def of(cls, received: Iterable[object]) -> DocumentChecklist:
        """A checklist from document names (e.g. JSON strings), refusing unknown ones."""
        return cls(received=frozenset(parse_document(value) for value in received))

    def receive(self, document: Document) -> DocumentChecklist:
        return DocumentChecklist(received=self.received | {Document(document)}, required=self.required)

    def missing(self) -> tuple[Document, ...]:
        """The required documents not yet received, in the order of `required`."""
        return tuple(document for document in self.required if document not in self.received)

    @property
    def complete(self) -> bool:
        return not self.missing()

    def ensure_complete(self) -> None:
        missing = self.missing()
        if missing:
            raise RuleViolation(
                "documents",
                f"missing: {', '.join(document.value for document in missing)}",
                missing=[document.value for document in missing],
            )
