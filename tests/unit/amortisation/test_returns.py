"""NPV, IRR, XIRR and MOIC against the examples of Excel's documentation."""

from datetime import date
from decimal import Decimal

import pytest

from shared.amortisation.errors import InvalidTerms
from shared.amortisation.returns import discount_factor, irr, moic, npv, xirr

# Excel's XIRR / XNPV example: XIRR 0.373362535, XNPV at 9 % 2086.647602.
EXCEL_FLOWS = [
    (date(2008, 1, 1), Decimal("-10000")),
    (date(2008, 3, 1), Decimal("2750")),
    (date(2008, 10, 30), Decimal("4250")),
    (date(2009, 2, 15), Decimal("3250")),
    (date(2009, 4, 1), Decimal("2750")),
]


def test_xirr_matches_excel() -> None:
    result = xirr(EXCEL_FLOWS)
    assert abs(result - Decimal("0.373362535")) < Decimal("5e-9")  # Excel shows nine decimals
    assert result == result.quantize(Decimal("1e-10"))


def test_npv_matches_excel_xnpv() -> None:
    assert npv(Decimal("0.09"), EXCEL_FLOWS) == Decimal("2086.65")


def test_npv_at_the_xirr_is_zero() -> None:
    assert abs(npv(xirr(EXCEL_FLOWS), EXCEL_FLOWS)) <= Decimal("0.01")


def test_npv_valued_on_another_date() -> None:
    # 2024 is a leap year: 2024-01-01 to 2025-01-01 is 366 days, i.e. 366/365 years under ACT/365.
    flows = [(date(2025, 1, 1), Decimal("1100.00"))]
    expected = 1100 / 1.1 ** (366 / 365)  # 999.74; plain float arithmetic as an independent check
    result = npv(Decimal("0.10"), flows, on=date(2024, 1, 1))
    assert result == Decimal("999.74")
    assert abs(float(result) - expected) < 0.005


def test_npv_uses_the_earliest_date_when_unsorted() -> None:
    flows = [(date(2025, 1, 1), Decimal("110.00")), (date(2024, 1, 1), Decimal("-100.00"))]
    expected = 110 / 1.1 ** (366 / 365) - 100
    assert abs(float(npv(Decimal("0.10"), flows)) - expected) <= 0.005


def test_periodic_irr_matches_excel() -> None:
    amounts = [Decimal(value) for value in ("-70000", "12000", "15000", "18000", "21000")]
    assert abs(irr(amounts) - Decimal("-0.021244848")) < Decimal("1e-9")
    assert abs(irr([*amounts, Decimal("26000")]) - Decimal("0.086630948")) < Decimal("1e-9")


def test_moic() -> None:
    assert moic(EXCEL_FLOWS) == Decimal("1.3")
    assert moic([(date(2024, 1, 1), Decimal("-300")), (date(2025, 1, 1), Decimal("100"))]) == Decimal("0.3333333333")


@pytest.mark.parametrize(
    "amounts", [[], [Decimal("-1"), Decimal("-2")], [Decimal("1"), Decimal("2")], [Decimal("0"), Decimal("0")]]
)
def test_irr_needs_a_sign_change(amounts: list[Decimal]) -> None:
    with pytest.raises(InvalidTerms) as caught:
        irr(amounts)
    assert caught.value.field == "amounts"


def test_xirr_needs_a_sign_change_and_flows() -> None:
    with pytest.raises(InvalidTerms, match="negative"):
        xirr([(date(2024, 1, 1), Decimal("-1")), (date(2025, 1, 1), Decimal("-1"))])
    with pytest.raises(InvalidTerms, match="at least one"):
        xirr([])


def test_npv_and_moic_refuse_empty_input() -> None:
    with pytest.raises(InvalidTerms):
        npv(Decimal("0.05"), [])
    with pytest.raises(InvalidTerms):
        moic([])
    with pytest.raises(InvalidTerms, match="paid out"):
        moic([(date(2024, 1, 1), Decimal("5"))])


def test_discount_factor_real_power() -> None:
    assert abs(discount_factor(Decimal("0.21"), Decimal("2")) - Decimal(1) / Decimal("1.4641")) < Decimal("1e-27")
    assert abs(discount_factor(Decimal("0.21"), Decimal("0.5")) - Decimal(1) / Decimal("1.1")) < Decimal("1e-27")
    assert discount_factor(Decimal("0.05"), Decimal(0)) == 1
    with pytest.raises(InvalidTerms):
        discount_factor(Decimal("-1"), Decimal(1))
