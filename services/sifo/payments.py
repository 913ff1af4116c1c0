"""SEPA credit transfer instructions (pain.001) for SIFO loan disbursements.

Pure: turns the fund's account and a list of disbursements into the XML a bank accepts, with no I/O.
The document is built by ``sepaxml`` and validated against the ISO 20022 XSD that ``sepaxml`` ships
(through ``xmlschema``); an invalid document raises ``sepaxml.validation.ValidationError``, which the
input checks here are meant to make unreachable.

Choices:

* schema ``pain.001.001.09`` (ISO 20022 2019), the version of the EPC SCT implementation guidelines
  in force since November 2023 and accepted by Belgian banks;
* BICs are optional (IBAN-only SEPA); the creditor agent is left out when no BIC is known;
* one payment-information block per execution date (sepaxml's batch mode, ``BtchBookg`` true);
* names and remittance reduced to the SEPA Latin character set, names truncated to 70 characters;
* output is deterministic: message id and creation time come from the caller, and the payment
  information ids (random in sepaxml) are derived from the message id.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from xml.etree import ElementTree

from sepaxml import SepaTransfer
from sepaxml.validation import try_valid_xml

from shared.platform.identifiers import normalise_iban

SCHEMA = "pain.001.001.09"
NAMESPACE = f"urn:iso:std:iso:20022:tech:xsd:{SCHEMA}"

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


@dataclass(frozen=True)
class Debtor:
    """The fund's own account (from settings)."""

    name: str
    iban: str
    bic: str | None = None


@dataclass(frozen=True)
class Disbursement:
    """One transfer of the SIFO share of a loan to the recognised financier."""

    end_to_end_id: str  # <= 35 chars, unique per payment; travels to the creditor's statement
    creditor_name: str  # reduced to the SEPA character set and truncated to 70
    creditor_iban: str
    amount: Decimal  # euro, at most 2 decimals, > 0
    execution_date: date
    remittance: str  # unstructured, <= 140 chars after reduction to the SEPA character set


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


def _identifier(value: str, field: str) -> str:
    """An EPC identifier: 1-35 SEPA characters, no spaces, not starting/ending with '/' nor containing '//'."""
    if not 0 < len(value) <= MAX_ID:
        raise ValueError(f"{field}: must be 1 to {MAX_ID} characters, got {len(value)}")
    if not _SEPA_ID.fullmatch(value):
        raise ValueError(f"{field}: only SEPA characters without spaces allowed, got {value!r}")
    if value.startswith("/") or value.endswith("/") or "//" in value:
        raise ValueError(f"{field}: must not start or end with '/' or contain '//', got {value!r}")
    return value


def _iban(value: str, field: str) -> str:
    try:
        return normalise_iban(value)
    except ValueError as exc:
        raise ValueError(f"{field}: {exc}") from None


def _bic(value: str, field: str) -> str:
    compact = value.replace(" ", "").upper()
    if not _BIC.fullmatch(compact):
        raise ValueError(f"{field}: not a valid BIC (8 or 11 characters), got {value!r}")
    return compact


def _remittance(value: str, field: str) -> str:
    cleaned = sepa_text(value)
    if not cleaned:
        raise ValueError(f"{field}: no characters left after reduction to the SEPA character set: {value!r}")
    if len(cleaned) > MAX_REMITTANCE:
        raise ValueError(f"{field}: at most {MAX_REMITTANCE} characters allowed, got {len(cleaned)}")
    return cleaned


def _payment_dict(payment: Disbursement, index: int) -> dict[str, object]:
    prefix = f"payments[{index}]"
    return {
        "name": sepa_name(payment.creditor_name, f"{prefix}.creditor_name"),
        "IBAN": _iban(payment.creditor_iban, f"{prefix}.creditor_iban"),
        "amount": amount_to_cents(payment.amount, f"{prefix}.amount"),
        "execution_date": payment.execution_date,
        "description": _remittance(payment.remittance, f"{prefix}.remittance"),
        "endtoend_id": _identifier(payment.end_to_end_id, f"{prefix}.end_to_end_id"),
    }


def _payment_information_id(message_id: str, number: int) -> str:
    suffix = f"-{number}"
    return message_id[: MAX_ID - len(suffix)] + suffix


def credit_transfer_xml(
    debtor: Debtor, payments: Sequence[Disbursement], message_id: str, created_at: datetime
) -> bytes:
    """A validated pain.001.001.09 document (UTF-8 bytes) paying ``payments`` from ``debtor``'s account.

    Raises ValueError naming the offending field for bad input (amounts with more than two decimals
    or not positive, invalid IBAN/BIC, identifiers too long or duplicated, empty names).
    """
    if not payments:
        raise ValueError("payments: at least one disbursement is required")
    _identifier(message_id, "message_id")
    config: dict[str, object] = {
        "name": sepa_name(debtor.name, "debtor.name"),
        "IBAN": _iban(debtor.iban, "debtor.iban"),
        "currency": "EUR",
        "batch": True,
    }
    if debtor.bic is not None:
        config["BIC"] = _bic(debtor.bic, "debtor.bic")
    seen: set[str] = set()
    for index, payment in enumerate(payments):
        if payment.end_to_end_id in seen:
            raise ValueError(f"payments[{index}].end_to_end_id: duplicate {payment.end_to_end_id!r}")
        seen.add(payment.end_to_end_id)

    transfer = SepaTransfer(config, schema=SCHEMA, clean=False)
    for index, payment in enumerate(payments):
        transfer.add_payment(_payment_dict(payment, index))
    raw: bytes = transfer.export(validate=False)

    # sepaxml stamps a random message id, the wall-clock time and random payment-information ids;
    # replace them with the caller's values so the same inputs give the same bytes. The tree is
    # handled without namespaces (as sepaxml builds it) to keep ElementTree's global prefix map out of it.
    root = ElementTree.fromstring(raw)  # noqa: S314 - our own output, not untrusted input
    for element in root.iter():
        element.tag = element.tag.rpartition("}")[2]
    root.set("xmlns", NAMESPACE)
    _set_text(root, "CstmrCdtTrfInitn/GrpHdr/MsgId", message_id)
    _set_text(root, "CstmrCdtTrfInitn/GrpHdr/CreDtTm", created_at.replace(microsecond=0).isoformat())
    for number, block in enumerate(root.iterfind("CstmrCdtTrfInitn/PmtInf"), start=1):
        _set_text(block, "PmtInfId", _payment_information_id(message_id, number))
    document: bytes = ElementTree.tostring(root, encoding="UTF-8", xml_declaration=True)
    try_valid_xml(document, SCHEMA)
    return document


def _set_text(parent: ElementTree.Element, path: str, text: str) -> None:
    node = parent.find(path)
    assert node is not None, path
    node.text = text
