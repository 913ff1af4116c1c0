"""Rules every service relies on: the business date, four-eyes identities, one rounding rule."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlmodel import Session

from shared.amortisation.money import TONNE_QUANTUM, round_half_up
from shared.amortisation.reference_rates import Collateral, Rating, quote
from shared.eventbus.command import CommandContext
from shared.platform.auth import Principal
from shared.platform.business_date import business_date
from shared.platform.rules import Forbidden
from shared.servicing.four_eyes import ensure_four_eyes, same_person

D = Decimal


def test_the_business_date_is_brusselss_and_so_is_the_base_rate_it_picks() -> None:
    half_past_midnight_in_brussels = datetime(2025, 6, 30, 22, 30, tzinfo=UTC)
    assert half_past_midnight_in_brussels.date() == date(2025, 6, 30)
    assert business_date(half_past_midnight_in_brussels) == date(2025, 7, 1)
    assert quote(business_date(half_past_midnight_in_brussels), Rating.GOOD, Collateral.NORMAL).base_rate == D("0.0221")
    assert business_date(datetime(2026, 1, 15, 23, 30, tzinfo=UTC)) == date(2026, 1, 16)  # winter: UTC+1
    with pytest.raises(ValueError, match="timezone-aware"):
        business_date(datetime(2026, 1, 15, 12, 0))


def test_a_command_sees_the_business_date() -> None:
    command = CommandContext(
        session=Session(),
        principal=Principal(subject="job:test"),
        topic="t",
        clock=lambda: datetime(2026, 6, 30, 22, 30, tzinfo=UTC),
    )
    assert command.today == date(2026, 7, 1)


@pytest.mark.parametrize(
    "approver",
    [
        "alice@pmv.example",
        "Alice@PMV.example",
        " alice@pmv.example ",
        "alice@pmv.example\u200b",
        "\uff41\uff4c\uff49\uff43\uff45@pmv.example",  # full-width letters,
    ],
)
def test_four_eyes_compares_people_not_strings(approver: str) -> None:
    assert same_person("alice@pmv.example", approver)
    with pytest.raises(Forbidden, match="four-eyes"):
        ensure_four_eyes("alice@pmv.example", approver, "disbursement")


def test_four_eyes_lets_another_person_decide() -> None:
    assert not same_person("alice@pmv.example", "alicia@pmv.example")
    ensure_four_eyes("alice@pmv.example", "bob@pmv.example", "disbursement")


@pytest.mark.parametrize(
    ("value", "quantum", "rounded"),
    [
        (D("2.0005"), TONNE_QUANTUM, D("2.001")),
        (D("2.0025"), TONNE_QUANTUM, D("2.003")),
        (D("-2.0025"), TONNE_QUANTUM, D("-2.003")),
        (D("10.365"), D("0.01"), D("10.37")),
        (D("149.99"), D("100.00"), D("100.00")),
        (D("150.00"), D("100.00"), D("200.00")),
        (D("0.025"), D("0.05"), D("0.05")),
    ],
)
def test_one_rounding_rule_half_up_at_any_quantum(value: Decimal, quantum: Decimal, rounded: Decimal) -> None:
    result = round_half_up(value, quantum)
    assert result == rounded
    assert result.as_tuple().exponent == quantum.as_tuple().exponent
