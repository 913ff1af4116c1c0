"""pain.001 credit transfers for loan payouts: content, cleaning, amount rules, determinism."""

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from xml.etree import ElementTree

import pytest

from shared.banking.credit_transfers import SCHEMA, Debtor, Disbursement, credit_transfer_xml
from shared.banking.sepa_text import amount_to_cents, sepa_text

NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
CREATED = datetime(2026, 12, 1, 9, 30, 15, 123456, tzinfo=UTC)
DEBTOR = Debtor(name="Sociaal Investeringsfonds", iban="BE68 5390 0754 7034")
PAYMENT = Disbursement(
    end_to_end_id="3f2a9c1e7b5d4e8f9a0b1c2d3e4f5a6b"[:35],
    creditor_name="Zonnepanelen Ghent cvba \u2013 Oost",
    creditor_iban="NL91ABNA0417164300",
    amount=Decimal("350000.00"),
    execution_date=date(2026, 12, 3),
    remittance="SIFO loan 3f2a9c1e disbursement",
)


def parse(xml: bytes) -> ElementTree.Element:
    return ElementTree.fromstring(xml)


def text(root: ElementTree.Element, path: str) -> str:
    node = root.find(path, NS)
    assert node is not None, path
    assert node.text is not None, path
    return node.text


def test_single_disbursement_document() -> None:
    root = parse(credit_transfer_xml(DEBTOR, [PAYMENT], "SIFO-20261201-0001", CREATED))

    assert SCHEMA == "pain.001.001.09"
    assert root.tag == "{urn:iso:std:iso:20022:tech:xsd:pain.001.001.09}Document"
    assert text(root, "p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId") == "SIFO-20261201-0001"
    assert text(root, "p:CstmrCdtTrfInitn/p:GrpHdr/p:CreDtTm") == "2026-12-01T09:30:15+00:00"
    assert text(root, "p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs") == "1"
    assert text(root, "p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum") == "350000.00"

    block = root.find("p:CstmrCdtTrfInitn/p:PmtInf", NS)
    assert block is not None
    assert text(block, "p:PmtInfId") == "SIFO-20261201-0001-1"
    assert text(block, "p:PmtMtd") == "TRF"
    assert text(block, "p:PmtTpInf/p:SvcLvl/p:Cd") == "SEPA"
    assert text(block, "p:ReqdExctnDt/p:Dt") == "2026-12-03"
    assert text(block, "p:Dbtr/p:Nm") == "Sociaal Investeringsfonds"
    assert text(block, "p:DbtrAcct/p:Id/p:IBAN") == "BE68539007547034"
    assert block.find("p:DbtrAgt/p:FinInstnId/p:BICFI", NS) is None

    tx = block.find("p:CdtTrfTxInf", NS)
    assert tx is not None
    assert text(tx, "p:PmtId/p:EndToEndId") == PAYMENT.end_to_end_id
    amount = tx.find("p:Amt/p:InstdAmt", NS)
    assert amount is not None
    assert (amount.text, amount.get("Ccy")) == ("350000.00", "EUR")
    assert tx.find("p:CdtrAgt", NS) is None  # IBAN-only
    assert text(tx, "p:Cdtr/p:Nm") == "Zonnepanelen Ghent cvba - Oost"
    assert text(tx, "p:CdtrAcct/p:Id/p:IBAN") == "NL91ABNA0417164300"
    assert text(tx, "p:RmtInf/p:Ustrd") == "SIFO loan 3f2a9c1e disbursement"


def test_debtor_bic_is_written_when_known() -> None:
    debtor = replace(DEBTOR, bic="gkccbebb")
    root = parse(credit_transfer_xml(debtor, [PAYMENT], "M1", CREATED))
    assert text(root, "p:CstmrCdtTrfInitn/p:PmtInf/p:DbtrAgt/p:FinInstnId/p:BICFI") == "GKCCBEBB"


def test_two_payments_sum_in_control_sums() -> None:
    second = replace(PAYMENT, end_to_end_id="LOAN2", amount=Decimal("1234.5"), creditor_iban="DE89370400440532013000")
    root = parse(credit_transfer_xml(DEBTOR, [PAYMENT, second], "M2", CREATED))

    assert text(root, "p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs") == "2"
    assert text(root, "p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum") == "351234.50"
    assert text(root, "p:CstmrCdtTrfInitn/p:PmtInf/p:CtrlSum") == "351234.50"
    ids = [node.text for node in root.iterfind(".//p:EndToEndId", NS)]
    assert ids == [PAYMENT.end_to_end_id, "LOAN2"]


def test_payments_on_different_dates_get_separate_blocks() -> None:
    later = replace(PAYMENT, end_to_end_id="LOAN2", execution_date=date(2026, 12, 10))
    root = parse(credit_transfer_xml(DEBTOR, [PAYMENT, later], "M3", CREATED))
    blocks = root.findall("p:CstmrCdtTrfInitn/p:PmtInf", NS)
    assert [text(b, "p:PmtInfId") for b in blocks] == ["M3-1", "M3-2"]
    assert [text(b, "p:ReqdExctnDt/p:Dt") for b in blocks] == ["2026-12-03", "2026-12-10"]
    assert text(root, "p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum") == "700000.00"


def test_accents_and_punctuation_are_reduced_to_the_sepa_set() -> None:
    payment = replace(
        PAYMENT,
        creditor_name="Cr\u00e9dal \u2013 \u00c9nergie & Co\u00f6peratie \u201cBr\u00fcssel\u201d Stra\u00dfe",
        remittance="Pr\u00eat SIFO n\u00b0 42 \u2014 d\u00e9caissement",
    )
    root = parse(credit_transfer_xml(DEBTOR, [payment], "M4", CREATED))
    name = text(root, ".//p:Cdtr/p:Nm")
    assert name == "Credal - Energie + Cooperatie 'Brussel' Strasse"
    assert text(root, ".//p:RmtInf/p:Ustrd") == "Pret SIFO no 42 - decaissement"


def test_long_names_are_truncated_to_70() -> None:
    payment = replace(PAYMENT, creditor_name="\u00c9" * 100)
    root = parse(credit_transfer_xml(DEBTOR, [payment], "M5", CREATED))
    assert text(root, ".//p:Cdtr/p:Nm") == "E" * 70


def test_sepa_text_drops_unmappable_characters() -> None:
    assert sepa_text("  a\u00a0b*c@d  \u4e2d ") == "a bcd"


def test_output_is_deterministic() -> None:
    first = credit_transfer_xml(DEBTOR, [PAYMENT], "M6", CREATED)
    assert credit_transfer_xml(DEBTOR, [PAYMENT], "M6", CREATED) == first
    assert first.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")


def test_three_decimal_amount_is_refused() -> None:
    with pytest.raises(ValueError, match=r"payments\[0\]\.amount: at most 2 decimals"):
        credit_transfer_xml(DEBTOR, [replace(PAYMENT, amount=Decimal("100.005"))], "M7", CREATED)


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-1.00"), Decimal("0.00")])
def test_non_positive_amount_is_refused(amount: Decimal) -> None:
    with pytest.raises(ValueError, match=r"payments\[0\]\.amount: must be greater than zero"):
        credit_transfer_xml(DEBTOR, [replace(PAYMENT, amount=amount)], "M8", CREATED)


def test_amount_conversion_is_exact() -> None:
    assert amount_to_cents(Decimal("0.01")) == 1
    assert amount_to_cents(Decimal("1.10")) == 110
    assert amount_to_cents(Decimal("1.100")) == 110
    assert amount_to_cents(Decimal("999999999.99")) == 99999999999
    with pytest.raises(ValueError, match="SEPA maximum"):
        amount_to_cents(Decimal("1000000000.00"))
    with pytest.raises(ValueError, match="finite"):
        amount_to_cents(Decimal("NaN"))


def test_bad_identifiers_and_accounts_are_refused() -> None:
    with pytest.raises(ValueError, match=r"payments\[0\]\.end_to_end_id: must be 1 to 35"):
        credit_transfer_xml(DEBTOR, [replace(PAYMENT, end_to_end_id="X" * 36)], "M9", CREATED)
    with pytest.raises(ValueError, match=r"payments\[1\]\.end_to_end_id: duplicate"):
        credit_transfer_xml(DEBTOR, [PAYMENT, PAYMENT], "M9", CREATED)
    with pytest.raises(ValueError, match=r"payments\[0\]\.creditor_iban: not a valid IBAN"):
        credit_transfer_xml(DEBTOR, [replace(PAYMENT, creditor_iban="BE68539007547035")], "M9", CREATED)
    with pytest.raises(ValueError, match=r"debtor\.bic"):
        credit_transfer_xml(replace(DEBTOR, bic="NOTABIC"), [PAYMENT], "M9", CREATED)
    with pytest.raises(ValueError, match="message_id"):
        credit_transfer_xml(DEBTOR, [PAYMENT], "M" * 36, CREATED)
    with pytest.raises(ValueError, match=r"payments\[0\]\.remittance: at most 140"):
        credit_transfer_xml(DEBTOR, [replace(PAYMENT, remittance="x" * 141)], "M9", CREATED)
    with pytest.raises(ValueError, match="at least one"):
        credit_transfer_xml(DEBTOR, [], "M9", CREATED)
