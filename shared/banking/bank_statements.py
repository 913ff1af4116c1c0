"""Bank-to-customer statements (camt.053, ISO 20022) read into booked lines, or refused as a whole.

A file is refused, with a reason a person can act on, when it is not well-formed XML, when its
namespace is not a camt.053 version read here (``camt.053.001.02``, still what most Belgian banks
send, and ``camt.053.001.08``), when it does not validate against that version's official XSD
(under ``schemas/``), or when a statement in it is of another account than the one expected.
Parsing and validation go through lxml with entity expansion, DTDs and network access refused:
statements come from outside.

Each booked entry (status BOOK) becomes one line per transaction it batches (``TxDtls``), with the
keys a payment is matched on: the end-to-end id, a structured creditor reference (``CdtrRefInf``,
or one written in the unstructured remittance), the counterparty's IBAN and the amount. A debit
with return information, or an entry flagged as a reversal, is a returned collection
(R-transaction).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from shared.banking import structured_reference, xsd
from shared.platform.identifiers import normalise_iban

Element = Any  # lxml's element type, untyped here
VERSIONS = ("camt.053.001.02", "camt.053.001.08")
_PREFIX = "urn:iso:std:iso:20022:tech:xsd:"
MAX_BYTES = 50 * 1024 * 1024


class StatementRefused(ValueError):
    """The file cannot be booked; nothing of it was."""


@dataclass(frozen=True)
class StatementLine:
    number: int  # position in the statement, from 1
    entry_reference: str
    booking_date: date
    value_date: date | None
    amount: Decimal
    currency: str
    credit: bool
    reversal: bool
    end_to_end_id: str | None
    structured_reference: str | None
    remittance: str | None
    counterparty_name: str | None
    counterparty_iban: str | None
    return_reason: str | None
    bank_transaction_code: str | None

    @property
    def is_return(self) -> bool:
        """A returned or reversed collection: money that came in going back out."""
        return (not self.credit and self.return_reason is not None) or self.reversal


@dataclass(frozen=True)
class Statement:
    version: str
    message_id: str
    statement_id: str
    sequence_number: str | None
    created_at: datetime
    account_iban: str
    lines: tuple[StatementLine, ...]


def read_statements(document: bytes, account_iban: str) -> list[Statement]:
    """The statements in a camt.053 file, all of `account_iban`; StatementRefused otherwise."""
    if len(document) > MAX_BYTES:
        raise StatementRefused(f"the file has {len(document)} bytes; at most {MAX_BYTES} are read")
    if not document.strip():
        raise StatementRefused("the file is empty")
    try:
        root = xsd.parse(document)
    except etree.XMLSyntaxError as exc:
        raise StatementRefused(f"the file is not well-formed XML: {exc}") from None
    except xsd.InvalidDocument as exc:
        raise StatementRefused(f"the file is refused: {exc}") from None
    namespace, _, name = str(root.tag).rpartition("}")
    version = namespace.lstrip("{").removeprefix(_PREFIX)
    if name != "Document" or version not in VERSIONS:
        raise StatementRefused(
            f"the document is {namespace.lstrip('{') or 'without namespace'} {name}, not a bank-to-customer statement "
            f"({' or '.join(VERSIONS)})"
        )
    try:
        xsd.check(root, version)
    except xsd.InvalidDocument as exc:
        raise StatementRefused(f"the file does not follow {version}: {exc}") from None
    expected = normalise_iban(account_iban)
    ns = {"c": namespace.lstrip("{")}
    try:
        statements = [_statement(version, root, element, ns) for element in root.iterfind("c:BkToCstmrStmt/c:Stmt", ns)]
    except (ValueError, InvalidOperation) as exc:  # values the XSD lets through: a bad IBAN checksum, 24:00
        raise StatementRefused(f"the file follows {version} but a value cannot be read: {exc}") from None
    for index, statement in enumerate(statements, start=1):
        if statement.account_iban != expected:
            raise StatementRefused(
                f"statement {index} ({statement.statement_id}) is of account {statement.account_iban}, "
                f"not the fund's account {expected}"
            )
    return statements


def _text(element: Element, path: str, ns: dict[str, str]) -> str | None:
    found = element.find(path, ns)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def _date(element: Element, path: str, ns: dict[str, str]) -> date | None:
    day = _text(element, f"{path}/c:Dt", ns)
    if day is not None:
        return date.fromisoformat(day[:10])  # xs:date may carry a time zone: the day is what counts
    moment = _text(element, f"{path}/c:DtTm", ns)
    return None if moment is None else datetime.fromisoformat(moment).date()


def _amount(element: Element | None) -> tuple[Decimal, str] | None:
    if element is None or element.text is None:
        return None
    try:
        return Decimal(element.text.strip()), element.get("Ccy", "")
    except InvalidOperation:
        return None


def _iban_or_none(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return normalise_iban(value)
    except ValueError:
        return None


def _statement(version: str, root: Element, element: Element, ns: dict[str, str]) -> Statement:
    message_id = _text(root, "c:BkToCstmrStmt/c:GrpHdr/c:MsgId", ns) or ""
    created = _text(element, "c:CreDtTm", ns) or _text(root, "c:BkToCstmrStmt/c:GrpHdr/c:CreDtTm", ns) or ""
    iban = _text(element, "c:Acct/c:Id/c:IBAN", ns)
    if iban is None:
        raise StatementRefused(f"statement {_text(element, 'c:Id', ns)} names no IBAN for its account")
    statement_id = _text(element, "c:Id", ns) or ""
    return Statement(
        version=version,
        message_id=message_id,
        statement_id=statement_id,
        sequence_number=_text(element, "c:ElctrncSeqNb", ns),
        created_at=datetime.fromisoformat(created),
        account_iban=normalise_iban(iban),
        lines=tuple(_lines(statement_id, element, ns)),
    )


def _booked(entry: Element, ns: dict[str, str]) -> bool:
    status = _text(entry, "c:Sts/c:Cd", ns) or _text(entry, "c:Sts", ns)
    return status == "BOOK"


def _lines(statement_id: str, element: Element, ns: dict[str, str]) -> Iterator[StatementLine]:
    number = 0
    for entry_index, entry in enumerate(element.iterfind("c:Ntry", ns), start=1):
        if not _booked(entry, ns):
            continue
        entry_amount = _amount(entry.find("c:Amt", ns))
        booking = _date(entry, "c:BookgDt", ns)
        if entry_amount is None or booking is None:
            raise StatementRefused(f"entry {entry_index} of statement {statement_id} has no amount or booking date")
        transactions: list[Element | None] = list(entry.findall("c:NtryDtls/c:TxDtls", ns)) or [None]
        if len(transactions) > 1 and any(_transaction_amount(tx, ns) is None for tx in transactions):
            raise StatementRefused(
                f"entry {entry_index} of statement {statement_id} batches {len(transactions)} transactions "
                "without their amounts"
            )
        reference = (
            _text(entry, "c:AcctSvcrRef", ns) or _text(entry, "c:NtryRef", ns) or f"{statement_id}/{entry_index}"
        )
        for tx_index, tx in enumerate(transactions, start=1):
            number += 1
            amount, currency = (_transaction_amount(tx, ns) if tx is not None else None) or entry_amount
            yield _line(number, f"{reference}/{tx_index}", entry, tx, amount, currency, booking, ns)


def _transaction_amount(tx: Element | None, ns: dict[str, str]) -> tuple[Decimal, str] | None:
    if tx is None:
        return None
    return _amount(tx.find("c:Amt", ns)) or _amount(tx.find("c:AmtDtls/c:TxAmt/c:Amt", ns))


def _line(
    number: int,
    reference: str,
    entry: Element,
    tx: Element | None,
    amount: Decimal,
    currency: str,
    booking: date,
    ns: dict[str, str],
) -> StatementLine:
    credit = _text(entry, "c:CdtDbtInd", ns) == "CRDT"
    detail = tx if tx is not None else entry
    remittance = " ".join(node.text.strip() for node in detail.iterfind("c:RmtInf/c:Ustrd", ns) if node.text) or None
    creditor_reference = _text(detail, "c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref", ns)
    reference_found = (structured_reference.valid(creditor_reference) if creditor_reference is not None else None) or (
        structured_reference.found_in(remittance) if remittance is not None else None
    )
    # The counterparty is the debtor of money received and the creditor of money paid out.
    party = "Dbtr" if credit else "Cdtr"
    name = _text(detail, f"c:RltdPties/c:{party}/c:Nm", ns) or _text(detail, f"c:RltdPties/c:{party}/c:Pty/c:Nm", ns)
    iban = _text(detail, f"c:RltdPties/c:{party}Acct/c:Id/c:IBAN", ns)
    if not credit and iban is None:
        # A returned collection names the original debtor.
        name = (
            name or _text(detail, "c:RltdPties/c:Dbtr/c:Nm", ns) or _text(detail, "c:RltdPties/c:Dbtr/c:Pty/c:Nm", ns)
        )
        iban = _text(detail, "c:RltdPties/c:DbtrAcct/c:Id/c:IBAN", ns)
    end_to_end = _text(detail, "c:Refs/c:EndToEndId", ns)
    return StatementLine(
        number=number,
        entry_reference=reference[:100],
        booking_date=booking,
        value_date=_date(entry, "c:ValDt", ns),
        amount=amount,
        currency=currency,
        credit=credit,
        reversal=(_text(entry, "c:RvslInd", ns) or "").lower() == "true",
        end_to_end_id=None if end_to_end in (None, "NOTPROVIDED") else end_to_end,
        structured_reference=reference_found,
        remittance=remittance[:500] if remittance else None,
        counterparty_name=name[:200] if name else None,
        counterparty_iban=_iban_or_none(iban),
        return_reason=_text(detail, "c:RtrInf/c:Rsn/c:Cd", ns) or _text(detail, "c:RtrInf/c:Rsn/c:Prtry", ns),
        bank_transaction_code=_text(entry, "c:BkTxCd/c:Domn/c:Fmly/c:SubFmlyCd", ns),
    )
