"""camt.053.001.02 statements written by tests, as a Belgian bank would send them for the fund's account.

Only what the importer reads, in the order the XSD requires: credit transfers with a structured
reference (or none), direct-debit collections carrying their end-to-end id, returned collections
(a debit with return information) and our own outgoing payments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from xml.etree import ElementTree as ET

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"


@dataclass(frozen=True)
class BankLine:
    booked_on: date
    amount: Decimal
    credit: bool = True
    structured_reference: str | None = None
    end_to_end_id: str | None = None
    counterparty_name: str | None = None
    counterparty_iban: str | None = None
    return_reason: str | None = None
    remittance: str | None = None
    family: str = "RCDT"  # received credit transfer; DD for direct debits
    sub_family: str = "ESCT"


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def _dated(parent: ET.Element, tag: str, day: date) -> None:
    _add(_add(parent, tag), "Dt", day.isoformat())


def camt053(
    account_iban: str,
    statement_id: str,
    on: date,
    lines: list[BankLine],
    *,
    message_id: str | None = None,
    opening: Decimal = Decimal("0.00"),
) -> bytes:
    root = ET.Element("Document", {"xmlns": NAMESPACE})
    report = _add(root, "BkToCstmrStmt")
    header = _add(report, "GrpHdr")
    _add(header, "MsgId", message_id or f"MSG-{statement_id}")
    _add(header, "CreDtTm", f"{on.isoformat()}T20:00:00")
    statement = _add(report, "Stmt")
    _add(statement, "Id", statement_id)
    _add(statement, "CreDtTm", f"{on.isoformat()}T20:00:00")
    _add(_add(_add(statement, "Acct"), "Id"), "IBAN", account_iban)
    closing = opening + sum((line.amount if line.credit else -line.amount for line in lines), Decimal("0.00"))
    for code, amount in (("OPBD", opening), ("CLBD", closing)):
        balance = _add(statement, "Bal")
        _add(_add(_add(balance, "Tp"), "CdOrPrtry"), "Cd", code)
        _add(balance, "Amt", f"{abs(amount):.2f}", Ccy="EUR")
        _add(balance, "CdtDbtInd", "CRDT" if amount >= 0 else "DBIT")
        _dated(balance, "Dt", on)
    for number, line in enumerate(lines, start=1):
        _entry(statement, statement_id, number, line)
    document: bytes = ET.tostring(root, encoding="UTF-8", xml_declaration=True)
    return document


def _entry(statement: ET.Element, statement_id: str, number: int, line: BankLine) -> None:
    entry = _add(statement, "Ntry")
    _add(entry, "Amt", f"{line.amount:.2f}", Ccy="EUR")
    _add(entry, "CdtDbtInd", "CRDT" if line.credit else "DBIT")
    _add(entry, "Sts", "BOOK")
    _dated(entry, "BookgDt", line.booked_on)
    _dated(entry, "ValDt", line.booked_on)
    _add(entry, "AcctSvcrRef", f"{statement_id}-{number}")
    domain = _add(_add(entry, "BkTxCd"), "Domn")
    _add(domain, "Cd", "PMNT")
    family = _add(domain, "Fmly")
    _add(family, "Cd", line.family)
    _add(family, "SubFmlyCd", line.sub_family)
    details = _add(_add(entry, "NtryDtls"), "TxDtls")
    if line.end_to_end_id is not None:
        _add(_add(details, "Refs"), "EndToEndId", line.end_to_end_id)
    _add(_add(_add(details, "AmtDtls"), "TxAmt"), "Amt", f"{line.amount:.2f}", Ccy="EUR")
    if line.counterparty_name is not None or line.counterparty_iban is not None:
        parties = _add(details, "RltdPties")
        role = "Dbtr" if line.credit or line.return_reason is not None else "Cdtr"
        if line.counterparty_name is not None:
            _add(_add(parties, role), "Nm", line.counterparty_name)
        if line.counterparty_iban is not None:
            _add(_add(_add(parties, f"{role}Acct"), "Id"), "IBAN", line.counterparty_iban)
    if line.remittance is not None or line.structured_reference is not None:
        remittance = _add(details, "RmtInf")
        if line.remittance is not None:
            _add(remittance, "Ustrd", line.remittance)
        if line.structured_reference is not None:
            reference = _add(_add(remittance, "Strd"), "CdtrRefInf")
            kind = _add(reference, "Tp")
            _add(_add(kind, "CdOrPrtry"), "Cd", "SCOR")
            _add(kind, "Issr", "BBA")
            _add(reference, "Ref", line.structured_reference)
    if line.return_reason is not None:
        _add(_add(_add(details, "RtrInf"), "Rsn"), "Cd", line.return_reason)
