import pytest

from shared.platform.identifiers import normalise_enterprise_number, normalise_iban

from tests.support import enterprise_number


@pytest.mark.parametrize("spelling", ["0403.170.701", "BE 0403 170 701", "0403170701", "BE0403170701"])
def test_enterprise_number_spellings_normalise_to_ten_digits(spelling: str) -> None:
    assert normalise_enterprise_number(spelling) == "0403170701"


@pytest.mark.parametrize("bad", ["0403170702", "12345", "abcdefghij", ""])
def test_bad_enterprise_numbers_name_the_rule(bad: str) -> None:
    with pytest.raises(ValueError, match="mod-97"):
        normalise_enterprise_number(bad)


def test_generated_enterprise_numbers_are_valid() -> None:
    numbers = {normalise_enterprise_number(enterprise_number(n)) for n in range(500)}
    assert len(numbers) == 500


def test_iban_is_compacted_and_checked() -> None:
    assert normalise_iban("BE68 5390 0754 7034") == "BE68539007547034"
    with pytest.raises(ValueError, match="not a valid IBAN"):
        normalise_iban("BE68 5390 0754 7035")
