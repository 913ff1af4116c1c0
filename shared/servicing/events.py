"""Building the servicing events: one builder per event, each service choosing its registered types.

A service hands in a `ServicingEvents` with its own payload classes (subclasses of the shared
ones in `shared.contracts.loan_servicing`, registered under its own names); the account's
`parties` fill the fields those subclasses add (SIFO: ``financier_id``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from types import ModuleType
from typing import Any

from shared.amortisation.allocation import Allocation
from shared.amortisation.position import LoanPosition
from shared.amortisation.terms import LoanTerms
from shared.contracts import loan_servicing as contract
from shared.contracts.loan_terms import LoanTermsV2
from shared.contracts.own_versions import one_subclass_in
from shared.servicing.accounts import LoanAccount
from shared.servicing.aid import AidValuation
from shared.servicing.decisions import Decision
from shared.servicing.entries import LedgerEntry


def terms_payload(terms: LoanTerms) -> LoanTermsV2:
    return LoanTermsV2(**terms.to_json())


def aid_payload(valuation: AidValuation) -> contract.AidValuationV1:
    return contract.AidValuationV1(
        grant_date=valuation.grant_date,
        gge=valuation.gge,
        reference_rate=valuation.reference_rate,
        discount_rate=valuation.discount_rate,
    )


_BASES: dict[str, type[contract.ServicingEvent]] = {
    "repayment_recorded": contract.RepaymentRecordedWithMode,
    "prepaid": contract.Prepaid,
    "rate_reset": contract.RateReset,
    "restructured": contract.Restructured,
    "defaulted": contract.Defaulted,
    "written_off": contract.WrittenOff,
    "settled": contract.Settled,
    "entry_reversed": contract.EntryReversed,
}


def _id(entry: LedgerEntry) -> int:
    assert entry.id is not None, "entries are stored before their events are built"
    return entry.id


@dataclass(frozen=True)
class ServicingEvents:
    source: str
    repayment_recorded: type[contract.RepaymentRecordedWithMode]
    prepaid: type[contract.Prepaid]
    rate_reset: type[contract.RateReset]
    restructured: type[contract.Restructured]
    defaulted: type[contract.Defaulted]
    written_off: type[contract.WrittenOff]
    settled: type[contract.Settled]
    entry_reversed: type[contract.EntryReversed]

    @classmethod
    def of_module(cls, module: ModuleType, source: str) -> ServicingEvents:
        """The catalogue of a producer's contract module: for each shared payload, its one subclass there."""
        chosen = {
            field.name: one_subclass_in(module, _BASES[field.name]) for field in fields(cls) if field.name != "source"
        }
        return cls(source=source, **chosen)  # type: ignore[arg-type]

    @staticmethod
    def _keys(account: LoanAccount) -> dict[str, Any]:
        return {"loan_id": account.id, **account.parties}

    def repayment(
        self, account: LoanAccount, entry: LedgerEntry, allocation: Allocation, position: LoanPosition
    ) -> contract.RepaymentRecordedWithMode:
        assert entry.mode is not None
        return self.repayment_recorded(
            **self._keys(account),
            entry_id=_id(entry),
            received_on=allocation.on,
            amount=allocation.amount,
            late_interest=allocation.late_interest,
            collection_fees=allocation.collection_fees,
            interest=allocation.interest,
            principal=allocation.principal,
            prepayment=allocation.prepayment,
            excess=allocation.excess,
            outstanding_principal=position.outstanding_principal,
            status=position.status.value,
            surplus_mode=entry.mode,
        )

    def prepayment(self, account: LoanAccount, entry: LedgerEntry, position: LoanPosition) -> contract.Prepaid:
        assert entry.amount is not None
        assert entry.mode is not None
        return self.prepaid(
            **self._keys(account),
            entry_id=_id(entry),
            received_on=entry.on,
            amount=entry.amount,
            mode=entry.mode,
            outstanding_principal=position.outstanding_principal,
        )

    def reset(
        self, account: LoanAccount, entry: LedgerEntry, aid: AidValuation, decision: Decision
    ) -> contract.RateReset:
        assert entry.annual_rate is not None
        assert decision.decided_by is not None
        return self.rate_reset(
            **self._keys(account),
            entry_id=_id(entry),
            effective_on=entry.on,
            annual_rate=entry.annual_rate,
            aid=aid_payload(aid),
            prepared_by=decision.prepared_by,
            approved_by=decision.decided_by,
        )

    def restructuring(
        self,
        account: LoanAccount,
        entry: LedgerEntry,
        aid: AidValuation,
        decision: Decision,
        committee_reference: str | None,
    ) -> contract.Restructured:
        assert entry.terms is not None
        assert decision.decided_by is not None
        return self.restructured(
            **self._keys(account),
            entry_id=_id(entry),
            effective_on=entry.on,
            terms=terms_payload(entry.terms),
            aid=aid_payload(aid),
            committee_reference=committee_reference,
            prepared_by=decision.prepared_by,
            approved_by=decision.decided_by,
        )

    def default(self, account: LoanAccount, outstanding: Decimal, declared_by: str) -> contract.Defaulted:
        assert account.defaulted_on is not None
        return self.defaulted(
            **self._keys(account),
            defaulted_on=account.defaulted_on,
            outstanding_principal=outstanding,
            reason=account.status_reason or "",
            declared_by=declared_by,
        )

    def write_off(self, account: LoanAccount, decision: Decision) -> contract.WrittenOff:
        assert account.written_off_on is not None
        assert account.written_off_amount is not None
        assert decision.decided_by is not None
        return self.written_off(
            **self._keys(account),
            written_off_on=account.written_off_on,
            amount=account.written_off_amount,
            reason=account.status_reason or "",
            prepared_by=decision.prepared_by,
            approved_by=decision.decided_by,
        )

    def settlement(self, account: LoanAccount, on: date, entry: LedgerEntry) -> contract.Settled:
        return self.settled(**self._keys(account), settled_on=on, entry_id=_id(entry))

    def reversal(
        self,
        account: LoanAccount,
        reversed_entry: LedgerEntry,
        reversal: LedgerEntry,
        prepared_by: str,
        approved_by: str,
        position: LoanPosition,
    ) -> contract.EntryReversed:
        assert reversal.reason is not None
        return self.entry_reversed(
            **self._keys(account),
            entry_id=_id(reversed_entry),
            reversal_entry_id=_id(reversal),
            kind=reversed_entry.kind.value,
            on=reversed_entry.on,
            amount=reversed_entry.amount,
            reason=reversal.reason,
            prepared_by=prepared_by,
            approved_by=approved_by,
            outstanding_principal=position.outstanding_principal,
        )
