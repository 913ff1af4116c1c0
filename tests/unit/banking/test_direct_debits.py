"""pain.008 direct debits: one block per sequence type and date, valid against the XSD, bad input named."""

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from xml.etree import ElementTree

import pytest

from shared.banking import xsd
from shared.banking.direct_debits import SCHEMA, Collection, Creditor, SequenceType, direct_debit_xml

NS = {"p": f"urn:iso:std:iso:20022:tech:xsd:{SCHEMA}"}
CREDITOR = Creditor("Participatiemaatschappij Vlaanderen", "BE68 5390 0754 7034", "BE76ZZZ0461612904")
NOW = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
FIRST = Collection(
    end_to_end_id="100000000135",
    debtor_name="Maatwerkbedrijf \u00c9cluse",
    debtor_iban="BE71096123456769",
    amount=Decimal("2732.40"),
    collection_date=date(2026, 12, 3),
    mandate_id="SIFO-MND-1",
    mandate_signed_on=date(2026, 11, 2),
    sequence=SequenceType.FIRST,
    remittance="+++100/0000/00135+++ instalment 1",
)


def test_collections_are_grouped_per_sequence_and_date_and_validate() -> None:
    later = replace(
        FIRST, end_to_end_id="100000000236", sequence=SequenceType.RECURRING, collection_date=date(2026, 12, 4)
    )
    document = direct_debit_xml(CREDITOR, [FIRST, later], "SIFO-DD-20261201", NOW)
    xsd.validate(document, SCHEMA)
    root = ElementTree.fromstring(document)
    blocks = root.findall(".//p:PmtInf", NS)
    assert [block.findtext("p:PmtTpInf/p:SeqTp", namespaces=NS) for block in blocks] == ["FRST", "RCUR"]
    assert root.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=NS) == "5464.80"
    assert root.findtext(".//p:GrpHdr/p:NbOfTxs", namespaces=NS) == "2"
    assert root.findtext(".//p:CdtrSchmeId/p:Id/p:PrvtId/p:Othr/p:Id", namespaces=NS) == "BE76ZZZ0461612904"
    assert root.findtext(".//p:Dbtr/p:Nm", namespaces=NS) == "Maatwerkbedrijf Ecluse"
    assert direct_debit_xml(CREDITOR, [FIRST, later], "SIFO-DD-20261201", NOW) == document


@pytest.mark.parametrize(
    ("collection", "field"),
    [
        (replace(FIRST, amount=Decimal("0.00")), "collections[0].amount"),
        (replace(FIRST, debtor_iban="BE00096123456769"), "collections[0].debtor_iban"),
        (replace(FIRST, mandate_id="with space"), "collections[0].mandate_id"),
        (replace(FIRST, mandate_signed_on=date(2026, 12, 10)), "collections[0].mandate_signed_on"),
    ],
)
def test_bad_collections_are_refused_naming_the_field(collection: Collection, field: str) -> None:
    with pytest.raises(ValueError, match=field.replace("[", r"\[").replace("]", r"\]")):
        direct_debit_xml(CREDITOR, [collection], "M1", NOW)


def test_a_creditor_identifier_with_a_wrong_checksum_is_refused() -> None:
    with pytest.raises(ValueError, match=r"creditor\.creditor_id"):
        direct_debit_xml(replace(CREDITOR, creditor_id="BE77ZZZ0461612904"), [FIRST], "M1", NOW)
