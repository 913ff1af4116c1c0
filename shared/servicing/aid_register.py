"""The lenders' side of the state-aid register: an HTTP client and the servicing core's `AidRegister` over it.

A lender reserves the aid of a grant (a GGE above 0.00) in the register before its own transaction commits, and
stages an `AidOutcome` event in that transaction: if it commits, the register confirms the
reservation when the event arrives; if it does not, the reservation runs out. When the register
does not answer, the lender's request fails with 503 and commits nothing. A 409 from the register
(the ceiling) is passed on with the register's figures.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, Protocol, TypeVar

import httpx
from pydantic import BaseModel, Field, ValidationError
from pydantic_settings import BaseSettings

from shared.contracts.state_aid import (
    AidOutcome,
    HeadroomV1,
    Instrument,
    OutcomeKind,
    ReservationRequest,
    ReservationV1,
)
from shared.eventbus.envelope import EventEnvelope
from shared.platform.auth import Role, issue_token
from shared.platform.rules import Conflict, RuleViolation, Unavailable
from shared.platform.settings import ServiceSettings
from shared.servicing.accounts import LoanAccount
from shared.servicing.aid import AidValuation

Answer = TypeVar("Answer", bound=BaseModel)
PROBLEM_MEMBERS = {"type", "title", "status", "detail", "instance", "request_id", "errors"}
REGISTER = "the state-aid register"


class AidRegisterSettings(BaseSettings):
    """Where a lender finds the register; its tokens are signed with the lender's own JWT secret."""

    state_aid_url: str = Field(default="http://127.0.0.1:8105", description="base URL of the state-aid register")
    state_aid_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    state_aid_audience: str = Field(default="state_aid", description="the audience the register's tokens must name")


def grant_reference(instrument: Instrument, loan_id: str, measure: str) -> str:
    """The reservation reference of one aid measure of one loan (``sifo:<loan id>:grant``)."""
    return f"{instrument.value}:{loan_id}:{measure}"


class AidRegisterClient:
    """Reserve aid and read headroom over HTTP, as the service itself (role `service`)."""

    def __init__(
        self,
        base_url: str,
        token: Callable[[], str],
        timeout: float = 5.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.http = httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport)

    @classmethod
    def for_service(cls, settings: ServiceSettings, register: AidRegisterSettings) -> AidRegisterClient:
        subject = f"service:{settings.service_name}"

        def token() -> str:
            return issue_token(
                settings, subject, [Role.SERVICE], lifetime=timedelta(minutes=5), audience=[register.state_aid_audience]
            )

        return cls(register.state_aid_url, token, register.state_aid_timeout_seconds)

    def close(self) -> None:
        self.http.close()

    def reserve(self, request: ReservationRequest) -> ReservationV1:
        response = self._call("POST", "/reservations", json=request.model_dump(mode="json", exclude_none=True))
        return self._parse(response, ReservationV1)

    def headroom(self, enterprise_number: str, on: date) -> HeadroomV1:
        response = self._call("GET", f"/undertakings/{enterprise_number}/headroom", params={"on": on.isoformat()})
        return self._parse(response, HeadroomV1)

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self.http.request(method, path, headers={"Authorization": f"Bearer {self.token()}"}, **kwargs)
        except httpx.HTTPError as exc:
            raise Unavailable(
                f"{REGISTER} at {self.base_url} did not answer ({type(exc).__name__}); nothing was committed, "
                "try again when it is back",
                dependency="state_aid",
            ) from None
        if response.status_code < 400:
            return response
        problem = _problem(response)
        detail = str(problem.get("detail") or response.text[:500])
        if response.status_code == 409:
            raise Conflict(detail, **{key: value for key, value in problem.items() if key not in PROBLEM_MEMBERS})
        if response.status_code == 422:
            errors = problem.get("errors") or [{}]
            first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
            raise RuleViolation(str(first.get("field", "aid")), str(first.get("rule", detail)))
        raise Unavailable(
            f"{REGISTER} answered {response.status_code}: {detail}; nothing was committed", dependency="state_aid"
        )

    @staticmethod
    def _parse(response: httpx.Response, model: type[Answer]) -> Answer:
        try:
            return model.model_validate_json(response.content)
        except ValidationError:
            raise Unavailable(f"{REGISTER} sent an answer this service cannot read", dependency="state_aid") from None


def _problem(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class LenderCommand(Protocol):
    """What a lender's command offers the register: its client, business date, actor and outbox."""

    @property
    def aid_client(self) -> AidRegisterClient | None: ...

    @property
    def today(self) -> date: ...

    @property
    def actor(self) -> str: ...

    def publish(self, envelope: EventEnvelope) -> None: ...


class RemoteAidRegister:
    """The servicing core's `AidRegister` for one command: reserve on the business date, stage the grant outcome."""

    @classmethod
    def of(
        cls, command: LenderCommand, instrument: Instrument, event: Callable[[str, AidOutcome], EventEnvelope]
    ) -> RemoteAidRegister:
        """The register as `command` uses it; `event` makes the lender's own outcome event (keyed by loan)."""
        return cls(
            command.aid_client,
            instrument,
            command.today,
            command.actor,
            lambda loan_id, outcome: command.publish(event(loan_id, outcome)),
        )

    def __init__(
        self,
        client: AidRegisterClient | None,
        instrument: Instrument,
        today: date,
        actor: str,
        publish_outcome: Callable[[str, AidOutcome], None],
    ) -> None:
        self.client = client
        self.instrument = instrument
        self.today = today
        self.actor = actor
        self.publish_outcome = publish_outcome

    def reserve(
        self, enterprise_number: str, loan_id: str, valuation: AidValuation, measure: str
    ) -> ReservationV1 | None:
        """Reserve `valuation.gge`, dated today, under the reference of (loan, measure).

        A grant without aid (a GGE of 0.00: priced at or above the reference rate) reserves nothing
        and does not need the register; None says so, and no outcome is published for it.
        """
        if valuation.gge <= 0:
            return None
        if self.client is None:
            raise Unavailable(f"{REGISTER} is not configured for this service", dependency="state_aid")
        return self.client.reserve(
            ReservationRequest(
                reference=grant_reference(self.instrument, loan_id, measure),
                enterprise_number=enterprise_number,
                instrument=self.instrument,
                source_reference=loan_id,
                gge=valuation.gge,
                grant_date=self.today,
                reference_rate=valuation.reference_rate,
                discount_rate=valuation.discount_rate,
                requested_by=self.actor,
            )
        )

    def granted(self, loan_id: str, measure: str) -> None:
        self.outcome(loan_id, measure, OutcomeKind.GRANTED)

    def outcome(self, loan_id: str, measure: str, kind: OutcomeKind, gge: Any = None) -> None:
        reference = grant_reference(self.instrument, loan_id, measure)
        self.publish_outcome(loan_id, AidOutcome(reference=reference, outcome=kind, decided_on=self.today, gge=gge))

    def register(self, account: LoanAccount, valuation: AidValuation, measure: str, source_reference: str) -> None:
        """A change to a live loan granted aid: one measure per decision, reserved and granted in this transaction."""
        name = f"{measure}:{source_reference}"
        if self.reserve(account.enterprise_number, account.id, valuation, name) is not None:
            self.granted(account.id, name)
