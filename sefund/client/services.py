"""The five services, one class each, with a method per operation people and back offices use.

Method names are the operationIds of the OpenAPI documents; query parameters are keyword
arguments of the same names; bodies are passed as the JSON the documents describe (money as
decimal strings). Every POST sends an Idempotency-Key, the same on each retry; pass your own
`idempotency_key` to make a repeated call (a rerun script) safe as well.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sefund.client.http import JsonObject, ServiceClient
from sefund.client.operations import operation


def _day(value: date | str | None) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


@dataclass
class LenderOperations:
    """What every lender serves alike: four-eyes decisions, bank statements and their lines, job runs."""

    http: ServiceClient

    @operation("POST", "/bank-statements")
    def import_statement(self, document: bytes, *, idempotency_key: str | None = None) -> JsonObject:
        """A camt.053 file as it came from the bank."""
        return dict(
            self.http.request(
                "POST",
                "/bank-statements",
                content=document,
                content_type="application/xml",
                idempotency_key=idempotency_key or self.http.new_key(),
            )
        )

    @operation("GET", "/statement-lines")
    def list_lines(self, *, status: str | None = None, statement_id: str | None = None) -> Iterator[JsonObject]:
        return self.http.pages("/statement-lines", status=status, statement_id=statement_id)

    @operation("GET", "/payment-requests")
    def list_requests(
        self, *, business_date: date | str | None = None, status: str | None = None
    ) -> Iterator[JsonObject]:
        """The instalments asked for (by the due run), in the order they were made."""
        return self.http.pages("/payment-requests", business_date=_day(business_date), status=status)

    @operation("GET", "/job-runs")
    def list_runs(self, *, job: str | None = None) -> Iterator[JsonObject]:
        return self.http.pages("/job-runs", job=job)

    @operation("GET", "/decisions")
    def decision_inbox(
        self, *, status: str | None = None, kind: str | None = None, awaiting_me: bool | None = None
    ) -> Iterator[JsonObject]:
        return self.http.pages("/decisions", status=status, kind=kind, awaiting_me=awaiting_me)

    @operation("POST", "/decisions/{decision_id}/approval")
    def approve_decision(self, decision_id: str, *, idempotency_key: str | None = None) -> JsonObject:
        return dict(self.http.post(f"/decisions/{decision_id}/approval", idempotency_key=idempotency_key))


@dataclass
class Sifo(LenderOperations):
    """SIFO: financiers, drawing rights, co-financed loans, their servicing and four-eyes decisions."""

    @operation("POST", "/financiers")
    def register_financier(self, body: JsonObject, *, idempotency_key: str | None = None) -> JsonObject:
        return dict(self.http.post("/financiers", body, idempotency_key=idempotency_key))

    @operation("GET", "/financiers")
    def list_financiers(
        self, *, sort: str | None = None, updated_since: datetime | str | None = None
    ) -> Iterator[JsonObject]:
        return self.http.pages("/financiers", sort=sort, updated_since=updated_since)

    @operation("GET", "/financiers/{financier_id}")
    def get_financier(self, financier_id: str) -> JsonObject:
        return dict(self.http.get(f"/financiers/{financier_id}"))

    @operation("POST", "/financiers/{financier_id}/drawing-rights")
    def allocate_drawing_right(
        self, financier_id: str, body: JsonObject, *, idempotency_key: str | None = None
    ) -> JsonObject:
        return dict(self.http.post(f"/financiers/{financier_id}/drawing-rights", body, idempotency_key=idempotency_key))

    @operation("GET", "/drawing-rights")
    def list_drawing_rights(self, *, financier_id: str | None = None) -> Iterator[JsonObject]:
        return self.http.pages("/drawing-rights", financier_id=financier_id)

    @operation("POST", "/loans")
    def submit_loan(self, body: JsonObject, *, idempotency_key: str | None = None) -> JsonObject:
        return dict(self.http.post("/loans", body, idempotency_key=idempotency_key))

    @operation("GET", "/loans")
    def list_loans(
        self,
        *,
        status: str | None = None,
        external_id: str | None = None,
        financier_id: str | None = None,
        enterprise_number: str | None = None,
        sort: str | None = None,
        updated_since: datetime | str | None = None,
    ) -> Iterator[JsonObject]:
        return self.http.pages(
            "/loans",
            status=status,
            external_id=external_id,
            financier_id=financier_id,
            enterprise_number=enterprise_number,
            sort=sort,
            updated_since=updated_since,
        )

    @operation("GET", "/loans/{loan_id}")
    def get_loan(self, loan_id: str) -> JsonObject:
        return dict(self.http.get(f"/loans/{loan_id}"))

    @operation("GET", "/loans/{loan_id}/position")
    def get_loan_position(self, loan_id: str, *, as_of: date | str | None = None) -> JsonObject:
        return dict(self.http.get(f"/loans/{loan_id}/position", as_of=_day(as_of)))

    @operation("POST", "/loans/{loan_id}/approval")
    def approve_loan(
        self, loan_id: str, *, drawing_right_id: str | None = None, idempotency_key: str | None = None
    ) -> JsonObject:
        body = {} if drawing_right_id is None else {"drawing_right_id": drawing_right_id}
        return dict(self.http.post(f"/loans/{loan_id}/approval", body, idempotency_key=idempotency_key))

    @operation("POST", "/loans/{loan_id}/rejection")
    def reject_loan(self, loan_id: str, reason: str, *, idempotency_key: str | None = None) -> JsonObject:
        return dict(self.http.post(f"/loans/{loan_id}/rejection", {"reason": reason}, idempotency_key=idempotency_key))

    @operation("POST", "/loans/{loan_id}/disbursement")
    def prepare_disbursement(self, loan_id: str, body: JsonObject, *, idempotency_key: str | None = None) -> JsonObject:
        return dict(self.http.post(f"/loans/{loan_id}/disbursement", body, idempotency_key=idempotency_key))

    @operation("POST", "/loans/{loan_id}/repayments")
    def record_repayment(self, loan_id: str, body: JsonObject, *, idempotency_key: str | None = None) -> JsonObject:
        return dict(self.http.post(f"/loans/{loan_id}/repayments", body, idempotency_key=idempotency_key))

    @operation("POST", "/decisions/{decision_id}/rejection")
    def reject_decision(self, decision_id: str, reason: str, *, idempotency_key: str | None = None) -> JsonObject:
        path = f"/decisions/{decision_id}/rejection"
        return dict(self.http.post(path, {"reason": reason}, idempotency_key=idempotency_key))

    @operation("GET", "/audit-trail")
    def audit_trail(self, object_type: str, *, object_id: str | None = None) -> Iterator[JsonObject]:
        return self.http.pages("/audit-trail", object_type=object_type, object_id=object_id)


@dataclass
class Energy(LenderOperations):
    """Energy loans: budget years, calls, applicants, applications and their four-eyes decisions."""

    @operation("POST", "/budget-years")
    def open_budget_year(self, body: JsonObject, *, idempotency_key: str | None = None) -> JsonObject:
        return dict(self.http.post("/budget-years", body, idempotency_key=idempotency_key))

    @operation("GET", "/budget-years")
    def list_budget_years(self) -> Iterator[JsonObject]:
        return self.http.pages("/budget-years")

    @operation("POST", "/budget-years/{year}/calls")
    def open_call(self, year: int, body: JsonObject, *, idempotency_key: str | None = None) -> JsonObject:
        return dict(self.http.post(f"/budget-years/{year}/calls", body, idempotency_key=idempotency_key))

    @operation("GET", "/calls")
    def list_calls(self, *, budget_year: int | None = None) -> Iterator[JsonObject]:
        return self.http.pages("/calls", budget_year=budget_year)

    @operation("POST", "/applicants")
    def register_applicant(self, body: JsonObject, *, idempotency_key: str | None = None) -> JsonObject:
        return dict(self.http.post("/applicants", body, idempotency_key=idempotency_key))

    @operation("POST", "/applications")
    def submit_application(self, body: JsonObject, *, idempotency_key: str | None = None) -> JsonObject:
        return dict(self.http.post("/applications", body, idempotency_key=idempotency_key))

    @operation("GET", "/applications")
    def list_applications(
        self,
        *,
        status: str | None = None,
        call_id: str | None = None,
        applicant_id: str | None = None,
        enterprise_number: str | None = None,
        external_id: str | None = None,
        sort: str | None = None,
        updated_since: datetime | str | None = None,
    ) -> Iterator[JsonObject]:
        return self.http.pages(
            "/applications",
            sort=sort,
            updated_since=updated_since,
            status=status,
            call_id=call_id,
            applicant_id=applicant_id,
            enterprise_number=enterprise_number,
            external_id=external_id,
        )

    @operation("GET", "/applications/{application_id}")
    def get_application(self, application_id: str) -> JsonObject:
        return dict(self.http.get(f"/applications/{application_id}"))

    @operation("POST", "/applications/{application_id}/approval")
    def approve_application(
        self, application_id: str, body: JsonObject | None = None, *, idempotency_key: str | None = None
    ) -> JsonObject:
        path = f"/applications/{application_id}/approval"
        return dict(self.http.post(path, body or {}, idempotency_key=idempotency_key))

    @operation("POST", "/applications/{application_id}/disbursement")
    def prepare_disbursement(
        self, application_id: str, body: JsonObject, *, idempotency_key: str | None = None
    ) -> JsonObject:
        path = f"/applications/{application_id}/disbursement"
        return dict(self.http.post(path, body, idempotency_key=idempotency_key))


@dataclass
class Trividend(LenderOperations):
    """Trividend: investees, proposals to the investment committee, participations and loans."""

    @operation("POST", "/investees")
    def register_investee(self, body: JsonObject, *, idempotency_key: str | None = None) -> JsonObject:
        return dict(self.http.post("/investees", body, idempotency_key=idempotency_key))

    @operation("GET", "/investees/{investee_id}")
    def get_investee(self, investee_id: str) -> JsonObject:
        return dict(self.http.get(f"/investees/{investee_id}"))

    @operation("POST", "/proposals")
    def propose_investment(self, body: JsonObject, *, idempotency_key: str | None = None) -> JsonObject:
        return dict(self.http.post("/proposals", body, idempotency_key=idempotency_key))

    @operation("GET", "/proposals")
    def list_proposals(
        self,
        *,
        status: str | None = None,
        external_id: str | None = None,
        sort: str | None = None,
        updated_since: datetime | str | None = None,
    ) -> Iterator[JsonObject]:
        return self.http.pages(
            "/proposals", status=status, external_id=external_id, sort=sort, updated_since=updated_since
        )

    @operation("POST", "/proposals/{proposal_id}/approval")
    def approve_proposal(
        self, proposal_id: str, *, reason: str | None = None, idempotency_key: str | None = None
    ) -> JsonObject:
        body = {} if reason is None else {"reason": reason}
        return dict(self.http.post(f"/proposals/{proposal_id}/approval", body, idempotency_key=idempotency_key))

    @operation("GET", "/participations/{participation_id}")
    def get_participation(self, participation_id: str, *, on: date | str | None = None) -> JsonObject:
        return dict(self.http.get(f"/participations/{participation_id}", on=_day(on)))


@dataclass
class StateAid:
    """The one de minimis register every lender reserves aid in."""

    http: ServiceClient

    @operation("GET", "/undertakings/{enterprise_number}/headroom")
    def get_headroom(self, enterprise_number: str, *, on: date | str | None = None) -> JsonObject:
        return dict(self.http.get(f"/undertakings/{enterprise_number}/headroom", on=_day(on)))


EXPORT_IN_PROGRESS = ("queued", "running")
"""The statuses of an export that still change; done, failed and interrupted are final."""


@dataclass
class Portfolio:
    """The consolidated book on any day, exposure, and the quarterly exports."""

    http: ServiceClient

    @operation("GET", "/positions")
    def list_positions(
        self, on: date | str, *, instrument: str | None = None, enterprise_number: str | None = None
    ) -> Iterator[JsonObject]:
        return self.http.pages("/positions", on=_day(on), instrument=instrument, enterprise_number=enterprise_number)

    @operation("GET", "/exposure")
    def list_exposure(self, on: date | str) -> Iterator[JsonObject]:
        return self.http.pages("/exposure", on=_day(on))

    @operation("POST", "/exports")
    def request_export(self, quarter: str, *, idempotency_key: str | None = None) -> JsonObject:
        return dict(self.http.post("/exports", {"quarter": quarter}, idempotency_key=idempotency_key))

    @operation("GET", "/exports")
    def list_exports(self, *, quarter: str | None = None) -> Iterator[JsonObject]:
        return self.http.pages("/exports", quarter=quarter)

    @operation("GET", "/exports/{export_id}")
    def get_export(self, export_id: str) -> JsonObject:
        return dict(self.http.get(f"/exports/{export_id}"))

    @operation("GET", "/exports/{export_id}/files/{name}")
    def download_export_file(self, export_id: str, name: str) -> bytes:
        content: Any = self.http.get(f"/exports/{export_id}/files/{name}")
        return content if isinstance(content, bytes) else str(content).encode()
