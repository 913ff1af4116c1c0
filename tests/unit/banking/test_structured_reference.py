"""Belgian structured references: mod-97 check digits, unique per running number, found where payers write them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.be import ogm_vcs

from shared.banking import structured_reference as ogm


@given(st.integers(1, 9), st.integers(1, ogm.MAX_NUMBER))
def test_every_reference_is_valid_and_reads_back(digit: int, number: int) -> None:
    reference = ogm.structured_reference(digit, number)
    assert len(reference) == 12
    assert ogm_vcs.is_valid(reference)
    assert int(reference[:10]) % 97 == (int(reference[10:]) % 97)
    assert ogm.valid(ogm.formatted(reference)) == reference
    assert ogm.found_in(f"instalment 3 {ogm.formatted(reference)} thanks") == reference


def test_references_differ_per_number_and_per_service() -> None:
    references = {ogm.structured_reference(digit, number) for digit in (1, 2, 3) for number in range(1, 2_000)}
    assert len(references) == 3 * 1_999


def test_a_base_divisible_by_97_gets_check_digits_97() -> None:
    base = next(number for number in range(1, 200) if int(f"1{number:09d}") % 97 == 0)
    assert ogm.structured_reference(1, base)[-2:] == "97"


@pytest.mark.parametrize("text", ["+++100/0000/00136+++", "100000000136", "betaling", ""])
def test_wrong_checksums_and_free_text_are_not_references(text: str) -> None:
    assert ogm.valid(text) is None
    assert ogm.found_in(text) is None


@pytest.mark.parametrize(("digit", "number"), [(0, 1), (10, 1), (1, 0), (1, 1_000_000_000)])
def test_out_of_range_inputs_are_refused(digit: int, number: int) -> None:
    with pytest.raises(ValueError, match="must be"):
        ogm.structured_reference(digit, number)
