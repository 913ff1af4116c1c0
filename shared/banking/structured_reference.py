"""Belgian structured references (OGM/VCS, "gestructureerde mededeling"): ``+++123/4567/89002+++``.

Twelve digits: a ten-digit base and two check digits, the base modulo 97 (97 when that is 0).
Banks in Belgium check them on entry, and they travel unchanged to the creditor's statement, which
makes them the first key a payment is matched on. The base is built from a service digit and a
running number, so a reference is unique per payment request across the platform's lenders.
Checksum and formatting are python-stdnum's (``stdnum.be.ogm_vcs``).
"""

from __future__ import annotations

import re

from stdnum.be import ogm_vcs
from stdnum.exceptions import ValidationError

MAX_NUMBER = 999_999_999
_IN_TEXT = re.compile(r"(?:\+\+\+|\*\*\*)?\s*(\d{3})\s*/\s*(\d{4})\s*/\s*(\d{5})\s*(?:\+\+\+|\*\*\*)?")


def structured_reference(service_digit: int, number: int) -> str:
    """The twelve digits for running `number` (1 to 999,999,999) of the service with `service_digit` (1-9)."""
    if not 1 <= service_digit <= 9:
        raise ValueError(f"service_digit must be 1 to 9, got {service_digit}")
    if not 1 <= number <= MAX_NUMBER:
        raise ValueError(f"number must be 1 to {MAX_NUMBER}, got {number}")
    base = f"{service_digit}{number:09d}"
    return base + ogm_vcs.calc_check_digits(base)


def formatted(reference: str) -> str:
    """The form printed on invitations and typed in banking apps: ``+++123/4567/89002+++``."""
    return f"+++{ogm_vcs.format(reference)}+++"


def valid(text: str) -> str | None:
    """The twelve digits of `text` if it is a structured reference with a correct checksum, else None."""
    try:
        return str(ogm_vcs.validate(text.strip().strip("+*")))
    except ValidationError:
        return None


def found_in(text: str) -> str | None:
    """A valid structured reference written in free text (``+++010/8068/17183+++`` or ``010/8068/17183``)."""
    for match in _IN_TEXT.finditer(text):
        reference = valid("".join(match.groups()))
        if reference is not None:
            return reference
    digits = re.sub(r"\D", "", text)
    return valid(digits) if len(digits) == 12 else None
