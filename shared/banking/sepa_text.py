"""The SEPA Latin character set and the field rules every SEPA file we produce shares (EPC guidelines).

Names and remittance texts are reduced to the characters SEPA banks must accept (accents stripped,
typographic punctuation mapped); identifiers (message, payment-information, end-to-end, mandate
ids) are 1-35 of those characters without spaces; amounts are positive euro with two decimals,
at most the rulebook ceiling. Each rule raises ValueError naming the field it checked.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from shared.platform.identifiers import normalise_iban

MAX_NAME = 70
MAX_REMITTANCE = 140
MAX_ID = 35
MAX_AMOUNT = Decimal("999999999.99")  # EPC SCT rulebook ceiling (AT-04)
_CENT = Decimal("0.01")

# Characters outside the SEPA Latin set that NFKD does not decompose into something usable.
_TRANSLITERATION: dict[str, str] = {
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2012": "-",  # figure dash
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2015": "-",  # horizontal bar
    "\u2212": "-",  # minus sign
    "_": "-",
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "`": "'",
    "\u00b4": "'",
    '"': "'",
    "\u201c": "'",
    "\u201d": "'",
    "\u201e": "'",
    "\u00ab": "'",
    "\u00bb": "'",
    "&": "+",
    "\u00df": "ss",
    "\u00e6": "ae",
    "\u00c6": "AE",
    "\u0153": "oe",
    "\u0152": "OE",
    "\u00f8": "o",
    "\u00d8": "O",
    "\u0142": "l",
    "\u0141": "L",
    "\u0111": "d",
    "\u0110": "D",
    "\u00f0": "d",
    "\u00d0": "D",
    "\u00fe": "th",
    "\u00de": "TH",
    "\u0131": "i",
    "\u20ac": "EUR",
    "\u00b0": "o",  # as in "n°"
    ";": ",",
    "[": "(",
    "]": ")",
    "{": "(",
    "}": ")",
}
_NOT_SEPA = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]")
_SEPA_ID = re.compile(r"[A-Za-z0-9/\-?:().,'+]+")
_BIC = re.compile(r"[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?")


def sepa_text(value: str) -> str:
    """Reduce ``value`` to the SEPA Latin character set: explicit mapping, accents stripped, rest dropped."""
    mapped = "".join(_TRANSLITERATION.get(ch, ch) for ch in value)
    decomposed = unicodedata.normalize("NFKD", mapped)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    spaced = re.sub(r"\s+", " ", stripped)
    return " ".join(_NOT_SEPA.sub("", spaced).split())


def sepa_name(value: str, field: str) -> str:
    """A name in the SEPA character set, truncated to 70 characters; empty results are refused."""
    cleaned = sepa_text(value)[:MAX_NAME].rstrip()
    if not cleaned:
        raise ValueError(f"{field}: no characters left after reduction to the SEPA character set: {value!r}")
    return cleaned


def amount_to_cents(amount: Decimal, field: str = "amount") -> int:
    """Exact integer cents of a positive euro amount with at most two decimals, else ValueError naming ``field``."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"{field}: expected Decimal, got {type(amount).__name__}")
    if not amount.is_finite():
        raise ValueError(f"{field}: must be a finite number, got {amount}")
    if amount <= 0:
        raise ValueError(f"{field}: must be greater than zero, got {amount}")
    if amount > MAX_AMOUNT:
        raise ValueError(f"{field}: exceeds the SEPA maximum of {MAX_AMOUNT}, got {amount}")
    if amount != amount.quantize(_CENT):
        raise ValueError(f"{field}: at most 2 decimals allowed, got {amount}")
    return int(amount.scaleb(2))


def identifier(value: str, field: str) -> str:
    """An EPC identifier: 1-35 SEPA characters, no spaces, not starting/ending with '/' nor containing '//'."""
    if not 0 < len(value) <= MAX_ID:
        raise ValueError(f"{field}: must be 1 to {MAX_ID} characters, got {len(value)}")
    if not _SEPA_ID.fullmatch(value):
        raise ValueError(f"{field}: only SEPA characters without spaces allowed, got {value!r}")
    if value.startswith("/") or value.endswith("/") or "//" in value:
        raise ValueError(f"{field}: must not start or end with '/' or contain '//', got {value!r}")
    return value


def iban(value: str, field: str) -> str:
    try:
        return normalise_iban(value)
    except ValueError as exc:
        raise ValueError(f"{field}: {exc}") from None


def bic(value: str, field: str) -> str:
    compact = value.replace(" ", "").upper()
    if not _BIC.fullmatch(compact):
        raise ValueError(f"{field}: not a valid BIC (8 or 11 characters), got {value!r}")
    return compact


def remittance(value: str, field: str) -> str:
    cleaned = sepa_text(value)
    if not cleaned:
        raise ValueError(f"{field}: no characters left after reduction to the SEPA character set: {value!r}")
    if len(cleaned) > MAX_REMITTANCE:
        raise ValueError(f"{field}: at most {MAX_REMITTANCE} characters allowed, got {len(cleaned)}")
    return cleaned
