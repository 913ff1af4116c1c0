"""camt.053 statements in: the lines and keys the matcher needs, from both versions Belgian banks send."""

from datetime import date
from decimal import Decimal

import pytest

from shared.banking.bank_statements import StatementRefused, read_statements

from tests.bank_statements import BankLine, camt053

FUND = "BE68539007547034"

CAMT_08 = b"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>
<GrpHdr><MsgId>M08</MsgId><CreDtTm>2026-12-01T18:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S08</Id><CreDtTm>2026-12-01T18:00:00</CreDtTm><Acct><Id><IBAN>BE68539007547034</IBAN></Id></Acct>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">150.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
<Dt><Dt>2026-12-01</Dt></Dt></Bal>
<Ntry><Amt Ccy="EUR">150.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
<BookgDt><Dt>2026-12-01</Dt></BookgDt><ValDt><Dt>2026-12-01</Dt></ValDt>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
<NtryDtls>
<TxDtls><Amt Ccy="EUR">100.00</Amt><RltdPties><Dbtr><Pty><Nm>De Vlaspit</Nm></Pty></Dbtr>
<DbtrAcct><Id><IBAN>BE71096123456769</IBAN></Id></DbtrAcct></RltdPties>
<RmtInf><Ustrd>aflossing +++100/0000/00135+++</Ustrd></RmtInf></TxDtls>
<TxDtls><Amt Ccy="EUR">50.00</Amt><RltdPties><Dbtr><Pty><Nm>Atelier Zuid</Nm></Pty></Dbtr></RltdPties></TxDtls>
</NtryDtls></Ntry>
<Ntry><Amt Ccy="EUR">9.99</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>PDNG</Cd></Sts>
<BookgDt><Dt>2026-12-01</Dt></BookgDt>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd></Ntry>
</Stmt></BkToCstmrStmt></Document>"""


def test_a_batched_camt_053_001_08_entry_gives_one_line_per_transaction_and_pending_entries_none() -> None:
    [statement] = read_statements(CAMT_08, "BE68 5390 0754 7034")
    assert (statement.version, statement.statement_id, statement.account_iban) == ("camt.053.001.08", "S08", FUND)
    first, second = statement.lines
    assert (first.amount, first.structured_reference, first.counterparty_iban) == (
        Decimal("100.00"),
        "100000000135",
        "BE71096123456769",
    )
    assert first.counterparty_name == "De Vlaspit"
    assert (second.amount, second.structured_reference, second.counterparty_iban) == (Decimal("50.00"), None, None)


def test_a_booking_date_with_a_time_zone_is_that_day() -> None:
    zoned = CAMT_08.replace(b"<BookgDt><Dt>2026-12-01</Dt>", b"<BookgDt><Dt>2026-12-01+01:00</Dt>", 1)
    assert read_statements(zoned, FUND)[0].lines[0].booking_date == date(2026, 12, 1)


def test_credits_returns_and_outgoing_payments_are_told_apart() -> None:
    day = date(2026, 3, 2)
    document = camt053(
        FUND,
        "S1",
        day,
        [
            BankLine(day, Decimal("10.00"), structured_reference="100000000135", counterparty_iban="BE71096123456769"),
            BankLine(day, Decimal("20.00"), end_to_end_id="100000000236", family="DD", sub_family="ESDD"),
            BankLine(day, Decimal("20.00"), credit=False, end_to_end_id="100000000236", return_reason="MD06"),
            BankLine(day, Decimal("30.00"), credit=False, counterparty_iban="BE71096123456769", family="ICDT"),
        ],
    )
    credit, collected, returned, outgoing = read_statements(document, FUND)[0].lines
    assert (credit.credit, credit.is_return, credit.structured_reference) == (True, False, "100000000135")
    assert (collected.end_to_end_id, collected.is_return) == ("100000000236", False)
    assert (returned.is_return, returned.return_reason, returned.end_to_end_id) == (True, "MD06", "100000000236")
    assert (outgoing.credit, outgoing.is_return) == (False, False)


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (b"<?xml version='1.0'?><!DOCTYPE d [<!ENTITY big 'x'>]><d>&big;</d>", "a DOCTYPE"),
        (CAMT_08.replace(b"<Document", b"<!DOCTYPE Document><Document", 1), "a DOCTYPE"),
        (CAMT_08.replace(b"BE68539007547034", b"BE68539007547035"), "a value cannot be read"),
        (
            CAMT_08.replace(
                b"<CreDtTm>2026-12-01T18:00:00</CreDtTm><Acct>", b"<CreDtTm>2026-12-01T24:00:00</CreDtTm><Acct>"
            ),
            "cannot be read",
        ),
        (b"not xml at all", "not well-formed XML"),
        (CAMT_08.replace(b"<Sts><Cd>BOOK</Cd></Sts>", b""), "does not follow camt.053.001.08"),
    ],
)
def test_unreadable_files_are_refused_with_the_reason(document: bytes, reason: str) -> None:
    with pytest.raises(StatementRefused, match=reason):
        read_statements(document, FUND)
