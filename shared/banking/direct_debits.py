"""SEPA Core direct debit collections (pain.008) of instalments from borrowers who signed a mandate.

Pure, like `credit_transfers`: the fund's creditor account and identifier and a list of
collections in, validated XML out. Choices:

* schema ``pain.008.001.08`` (ISO 20022 2019), the version of the EPC SDD Core implementation
  guidelines in force since November 2023;
* scheme ``CORE``; one payment-information block per sequence type (FRST, RCUR) and collection
  date, as the rulebook requires (sepaxml's batch mode);
* the creditor identifier (AT-02) is checked by python-stdnum; BICs are optional (IBAN-only);
* the end-to-end id is the instalment's structured reference, so the bank statement line of the
  collection, or of its return, names the instalment it belongs to;
* output is deterministic (see `initiation`).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sepaxml import SepaDD
from stdnum.eu import at_02
from stdnum.exceptions import ValidationError

from shared.banking.initiation import deterministic_document
from shared.banking.sepa_text import amount_to_cents, bic, iban, identifier, remittance, sepa_name

SCHEMA = "pain.008.001.08"
NAMESPACE = f"urn:iso:std:iso:20022:tech:xsd:{SCHEMA}"


class SequenceType(enum.StrEnum):
    """FRST for the first collection under a mandate, RCUR for the following ones."""

    FIRST = "FRST"
    RECURRING = "RCUR"


@dataclass(frozen=True)
class Creditor:
    """The fund's collecting account and its SEPA creditor identifier (from settings)."""

    name: str
    iban: str
    creditor_id: str
    bic: str | None = None


@dataclass(frozen=True)
class Collection:
    """One instalment collected from a debtor's account under their mandate."""

    end_to_end_id: str
    debtor_name: str
    debtor_iban: str
    amount: Decimal
    collection_date: date
    mandate_id: str
    mandate_signed_on: date
    sequence: SequenceType
    remittance: str
    debtor_bic: str | None = None


def creditor_identifier(value: str, field: str = "creditor_id") -> str:
    """A SEPA creditor identifier (AT-02) in its compact form, else ValueError naming `field`."""
    try:
        return str(at_02.validate(value))
    except ValidationError as exc:
        raise ValueError(f"{field}: not a valid SEPA creditor identifier ({exc}), got {value!r}") from None


def _payment_dict(collection: Collection, index: int) -> dict[str, object]:
    prefix = f"collections[{index}]"
    payment: dict[str, object] = {
        "name": sepa_name(collection.debtor_name, f"{prefix}.debtor_name"),
        "IBAN": iban(collection.debtor_iban, f"{prefix}.debtor_iban"),
        "amount": amount_to_cents(collection.amount, f"{prefix}.amount"),
        "type": SequenceType(collection.sequence).value,
        "collection_date": collection.collection_date,
        "mandate_id": identifier(collection.mandate_id, f"{prefix}.mandate_id"),
        "mandate_date": collection.mandate_signed_on,
        "description": remittance(collection.remittance, f"{prefix}.remittance"),
        "endtoend_id": identifier(collection.end_to_end_id, f"{prefix}.end_to_end_id"),
    }
    if collection.debtor_bic is not None:
        payment["BIC"] = bic(collection.debtor_bic, f"{prefix}.debtor_bic")
    return payment


def direct_debit_xml(
    creditor: Creditor, collections: Sequence[Collection], message_id: str, created_at: datetime
) -> bytes:
    """A validated pain.008.001.08 document (UTF-8 bytes) collecting `collections` into `creditor`'s account.

    Raises ValueError naming the offending field for bad input (amounts, IBANs, identifiers, a
    mandate signed after its collection date, duplicate end-to-end ids).
    """
    if not collections:
        raise ValueError("collections: at least one collection is required")
    identifier(message_id, "message_id")
    config: dict[str, object] = {
        "name": sepa_name(creditor.name, "creditor.name"),
        "IBAN": iban(creditor.iban, "creditor.iban"),
        "creditor_id": creditor_identifier(creditor.creditor_id, "creditor.creditor_id"),
        "currency": "EUR",
        "batch": True,
    }
    if creditor.bic is not None:
        config["BIC"] = bic(creditor.bic, "creditor.bic")
    seen: set[str] = set()
    for index, collection in enumerate(collections):
        if collection.end_to_end_id in seen:
            raise ValueError(f"collections[{index}].end_to_end_id: duplicate {collection.end_to_end_id!r}")
        seen.add(collection.end_to_end_id)
        if collection.mandate_signed_on > collection.collection_date:
            raise ValueError(
                f"collections[{index}].mandate_signed_on: {collection.mandate_signed_on} is after the collection "
                f"date {collection.collection_date}"
            )
    debit = SepaDD(config, schema=SCHEMA, clean=False)
    for index, collection in enumerate(collections):
        debit.add_payment(_payment_dict(collection, index))
    return deterministic_document(debit.export(validate=False), SCHEMA, "CstmrDrctDbtInitn", message_id, created_at)
