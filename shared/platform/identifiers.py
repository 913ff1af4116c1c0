"""Belgian identifiers validated on the way in: enterprise numbers (KBO/BCE) and IBANs.

The functions are pure (python-stdnum, schwifty) so domain code can call them; the `Annotated`
types make pydantic models reject bad values with a message naming the rule.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.be import vat
from stdnum.exceptions import ValidationError as StdnumValidationError


def normalise_enterprise_number(value: str) -> str:
    """Return the 10-digit enterprise number, or raise ValueError naming the rule it breaks.

    Accepts the usual spellings (``0403.170.701``, ``BE 0403 170 701``); the check is the
    mod-97 rule of the Crossroads Bank for Enterprises.
    """
    try:
        return str(vat.validate(value))
    except StdnumValidationError as exc:
        raise ValueError(f"not a valid Belgian enterprise number (10 digits, mod-97 check): {exc}") from None


def normalise_iban(value: str) -> str:
    """Return the IBAN in compact form, or raise ValueError naming the rule it breaks."""
    try:
        return str(IBAN(value).compact)
    except SchwiftyException as exc:
        raise ValueError(f"not a valid IBAN: {exc}") from None


ENTERPRISE_NUMBER_SPELLING = r"^(BE|be)? ?[01]?[0-9]{3}[ .-]?[0-9]{3}[ .-]?[0-9]{3}$"
IBAN_SPELLING = r"^[A-Za-z]{2}[0-9]{2}( ?[A-Za-z0-9]){11,30}$"

# The published patterns describe the accepted spellings so forms and generated clients send a
# plausible value; the check digits (mod 97 for both) are verified on the way in.
EnterpriseNumber = Annotated[
    str,
    AfterValidator(normalise_enterprise_number),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": ENTERPRISE_NUMBER_SPELLING,
            "examples": ["0403.170.701"],
            "description": "Belgian enterprise number (KBO/BCE), 10 digits with a mod-97 check; answered as 10 digits",
        }
    ),
]
Iban = Annotated[
    str,
    AfterValidator(normalise_iban),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": IBAN_SPELLING,
            "examples": ["BE68 5390 0754 7034"],
            "description": "IBAN with or without spaces, check digits verified; answered compact",
        }
    ),
]
