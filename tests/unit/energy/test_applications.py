from decimal import Decimal

import pytest

from shared.platform.rules import RuleViolation

from services.energy.domain.applications import Document, DocumentChecklist, check_application
from services.energy.domain.installations import Installation, Technology

PV = Installation(Technology.PV, Decimal("100"), "kWp", Decimal("100000.00"), Decimal("95000"), Decimal("12000.00"))
BOILER = Installation(Technology.SOLAR_BOILER, Decimal("12"), "m2", Decimal("15000.00"), Decimal("6000"), Decimal(900))
ZERO = Decimal("0.00")


def check(
    amount: str,
    installations: list[Installation] | None = None,
    need: str = "120000",
    per_applicant: str | None = None,
    per_site: str | None = None,
    by_applicant: str = "0.00",
    for_site: str = "0.00",
) -> None:
    check_application(
        Decimal(amount),
        [PV] if installations is None else installations,
        Decimal(need),
        None if per_applicant is None else Decimal(per_applicant),
        None if per_site is None else Decimal(per_site),
        Decimal(by_applicant),
        Decimal(for_site),
    )


def test_the_whole_investment_may_be_financed() -> None:
    check("100000.00")
    check("115000.00", [PV, BOILER])


def test_amount_above_the_eligible_cost_is_refused() -> None:
    with pytest.raises(RuleViolation) as caught:
        check("120000.00")
    assert caught.value.field == "requested_amount"
    assert caught.value.rule == "requested_amount 120000.00 exceeds the eligible investment cost 100000.00"


@pytest.mark.parametrize(
    ("amount", "rule"),
    [("0.00", "0.00 must be greater than 0.00"), ("10.005", "10.005 has more than two decimals")],
)
def test_amount_must_be_positive_money(amount: str, rule: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        check(amount)
    assert (caught.value.field, caught.value.rule) == ("requested_amount", rule)


def test_pv_production_is_capped_by_the_site_need() -> None:
    check("100000.00", need="95000")
    with pytest.raises(RuleViolation) as caught:
        check("100000.00", need="80000")
    assert caught.value.field == "installations"
    assert caught.value.rule == (
        "the expected PV production of 95000 kWh a year exceeds the site's yearly energy need "
        "site_yearly_need_kwh 80000 kWh; an energy loan is capped by that need"
    )
    # Heat from a solar boiler is not compared with the need.
    check("15000.00", [BOILER], need="1000")


def test_call_maximum_per_applicant() -> None:
    check("60000.00", per_applicant="150000.00", by_applicant="90000.00")
    with pytest.raises(RuleViolation) as caught:
        check("60000.00", per_applicant="150000.00", by_applicant="100000.00")
    assert caught.value.field == "requested_amount"
    assert caught.value.rule == (
        "requested_amount 60000.00 plus 100000.00 already requested for this applicant in the call "
        "(160000.00) exceeds the call's maximum per applicant 150000.00"
    )
    assert caught.value.extensions == {
        "maximum": "150000.00",
        "already_requested": "100000.00",
        "remaining": "50000.00",
    }


def test_call_maximum_per_site() -> None:
    with pytest.raises(RuleViolation) as caught:
        check("100000.00", per_applicant="500000.00", per_site="75000.00")
    assert caught.value.rule == (
        "requested_amount 100000.00 plus 0.00 already requested for this site in the call "
        "(100000.00) exceeds the call's maximum per site 75000.00"
    )


def test_installations_are_validated_first() -> None:
    wrong = Installation(Technology.PV, Decimal("10"), "m2", Decimal("9000.00"), Decimal(9000), Decimal(0))
    with pytest.raises(RuleViolation, match=r"installations\[0\]\.unit"):
        check("1000.00", [wrong])


def test_documents_missing_block_a_decision_not_a_submission() -> None:
    checklist = DocumentChecklist.of(
        ["application_form", "installer_quote", "procurement_report", "de_minimis_declaration", "latest_accounts"]
    )
    assert checklist.missing() == (Document.FEASIBILITY_STUDY, Document.STATUTES)
    assert not checklist.complete
    with pytest.raises(RuleViolation) as caught:
        checklist.ensure_complete()
    assert str(caught.value) == "documents: missing: feasibility_study, statutes"
    complete = checklist.receive(Document.FEASIBILITY_STUDY).receive(Document.STATUTES)
    assert complete.missing() == ()
    complete.ensure_complete()


def test_empty_checklist_lists_every_document_in_order() -> None:
    assert [d.value for d in DocumentChecklist().missing()] == [
        "application_form",
        "feasibility_study",
        "installer_quote",
        "procurement_report",
        "de_minimis_declaration",
        "statutes",
        "latest_accounts",
    ]
    with pytest.raises(RuleViolation, match="documents: 'photo' is not one of application_form"):
        DocumentChecklist.of(["photo"])
