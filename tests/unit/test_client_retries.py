"""The client retries only what is safe to repeat, and a repeated POST carries the same Idempotency-Key."""

from __future__ import annotations

import httpx
import pytest

from sefund.client import ApiError, ServiceClient


def _client(answers: list[httpx.Response | Exception], seen: list[httpx.Request]) -> ServiceClient:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return ServiceClient(
        "http://sifo", "token", httpx.Client(transport=httpx.MockTransport(handle)), sleep=lambda _: None
    )


PROBLEM = {"title": "The request is not valid", "detail": "amount: must be a decimal string", "request_id": "r-1"}


def test_a_post_is_retried_after_a_503_and_a_broken_connection_with_one_key() -> None:
    seen: list[httpx.Request] = []
    client = _client(
        [
            httpx.Response(503, json={"title": "The database is unavailable"}, headers={"Retry-After": "2"}),
            httpx.ConnectError("refused"),
            httpx.Response(201, json={"id": "loan-1"}),
        ],
        seen,
    )
    assert client.post("/loans", {"x": 1}) == {"id": "loan-1"}
    keys = {request.headers["Idempotency-Key"] for request in seen}
    assert len(seen) == 3
    assert len(keys) == 1
    assert all(request.headers["Authorization"] == "Bearer token" for request in seen)


@pytest.mark.parametrize("status", [400, 409, 422, 500])
def test_a_refusal_or_a_bug_is_not_retried_and_reads_as_the_problem(status: int) -> None:
    seen: list[httpx.Request] = []
    client = _client([httpx.Response(status, json=PROBLEM)], seen)
    with pytest.raises(ApiError) as raised:
        client.post("/loans", {})
    assert len(seen) == 1
    assert raised.value.status == status
    assert str(raised.value) == f"{status} The request is not valid: amount: must be a decimal string (request r-1)"


def test_retries_stop_after_the_policy_and_the_last_answer_is_raised() -> None:
    seen: list[httpx.Request] = []
    client = _client([httpx.Response(503, json={"title": "down"}) for _ in range(4)], seen)
    with pytest.raises(ApiError):
        client.get("/loans")
    assert len(seen) == 4


def test_pages_are_followed_until_the_cursor_is_null() -> None:
    seen: list[httpx.Request] = []
    client = _client(
        [
            httpx.Response(200, json={"items": [{"n": 1}, {"n": 2}], "next_cursor": "cDoy"}),
            httpx.Response(200, json={"items": [{"n": 3}], "next_cursor": None}),
        ],
        seen,
    )
    assert [item["n"] for item in client.pages("/loans", status="disbursed")] == [1, 2, 3]
    assert [request.url.params.get("cursor") for request in seen] == [None, "cDoy"]
    assert all(request.url.params["status"] == "disbursed" for request in seen)
