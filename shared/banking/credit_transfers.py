"""SEPA credit transfer instructions (pain.001): the fund's payouts, one file per day and debtor account.

Pure: turns the fund's account and a list of payouts into the XML a bank accepts, with no I/O.
The document is built by ``sepaxml`` and validated against the ISO 20022 XSD that ``sepaxml`` ships
(see `initiation`); an invalid document raises `xsd.InvalidDocument`, which the input checks here
are meant to make unreachable.

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

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sepaxml import SepaTransfer

from shared.banking.initiation import deterministic_document
from shared.banking.sepa_text import amount_to_cents, bic, iban, identifier, remittance, sepa_name

SCHEMA = "pain.001.001.09"
NAMESPACE = f"urn:iso:std:iso:20022:tech:xsd:{SCHEMA}"


@dataclass(frozen=True)
class Debtor:
    """The fund's own account (from settings)."""

    name: str
    iban: str
    bic: str | None = None


@dataclass(frozen=True)
class Disbursement:
    """One payout: a loan disbursement to the borrower's (or financier's) account."""

    end_to_end_id: str  # <= 35 chars, unique per payment; travels to the creditor's statement
    creditor_name: str  # reduced to the SEPA character set and truncated to 70
    creditor_iban: str
    amount: Decimal  # euro, at most 2 decimals, > 0
    execution_date: date
    remittance: str  # unstructured, <= 140 chars after reduction to the SEPA character set


def _payment_dict(payment: Disbursement, index: int) -> dict[str, object]:
    prefix = f"payments[{index}]"
    return {
        "name": sepa_name(payment.creditor_name, f"{prefix}.creditor_name"),
        "IBAN": iban(payment.creditor_iban, f"{prefix}.creditor_iban"),
        "amount": amount_to_cents(payment.amount, f"{prefix}.amount"),
        "execution_date": payment.execution_date,
        "description": remittance(payment.remittance, f"{prefix}.remittance"),
        "endtoend_id": identifier(payment.end_to_end_id, f"{prefix}.end_to_end_id"),
    }


def credit_transfer_xml(
    debtor: Debtor, payments: Sequence[Disbursement], message_id: str, created_at: datetime
) -> bytes:
    """A validated pain.001.001.09 document (UTF-8 bytes) paying ``payments`` from ``debtor``'s account.

    Raises ValueError naming the offending field for bad input (amounts with more than two decimals
    or not positive, invalid IBAN/BIC, identifiers too long or duplicated, empty names).
    """
    if not payments:
        raise ValueError("payments: at least one disbursement is required")
    identifier(message_id, "message_id")
    config: dict[str, object] = {
        "name": sepa_name(debtor.name, "debtor.name"),
        "IBAN": iban(debtor.iban, "debtor.iban"),
        "currency": "EUR",
        "batch": True,
    }
    if debtor.bic is not None:
        config["BIC"] = bic(debtor.bic, "debtor.bic")
    seen: set[str] = set()
    for index, payment in enumerate(payments):
        if payment.end_to_end_id in seen:
            raise ValueError(f"payments[{index}].end_to_end_id: duplicate {payment.end_to_end_id!r}")
        seen.add(payment.end_to_end_id)

    transfer = SepaTransfer(config, schema=SCHEMA, clean=False)
    for index, payment in enumerate(payments):
        transfer.add_payment(_payment_dict(payment, index))
    return deterministic_document(transfer.export(validate=False), SCHEMA, "CstmrCdtTrfInitn", message_id, created_at)
