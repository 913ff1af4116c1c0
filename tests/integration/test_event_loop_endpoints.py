"""Endpoints served on the event loop: their database calls yield to the loop, their transactions behave as on threads.

The app is built by `create_app` and served by a real uvicorn on a loopback port, against
PostgreSQL; a second app on SQLite, which has no asynchronous driver, serves the same endpoints
on worker threads.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi import APIRouter, FastAPI, Request
from sqlmodel import Session

from deploy.in_process import ThreadedServer
from shared.platform.app_factory import create_app
from shared.platform.database import make_engine, transaction
from shared.platform.event_loop_endpoints import engine_for, served_on_event_loop
from shared.platform.rules import RuleViolation
from shared.platform.settings import ServiceSettings

pytestmark = pytest.mark.integration

METADATA = sa.MetaData()
NOTES = sa.Table("loop_note", METADATA, sa.Column("text", sa.String(100), primary_key=True))

router = APIRouter()


def _on_the_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@router.get("/where")
@served_on_event_loop
def where(request: Request) -> dict[str, bool]:
    loop_engine = request.app.state.loop_engine
    return {
        "on_loop": _on_the_event_loop(),
        "loop_engine": loop_engine is not None and engine_for(request) is loop_engine.sync_engine,
    }


@router.post("/notes/{text}", status_code=201)
@served_on_event_loop
def write_note(text: str, request: Request, then_refuse: bool = False) -> dict[str, str]:
    with transaction(engine_for(request)) as session:
        session.execute(NOTES.insert().values(text=text))
        if then_refuse:
            raise RuleViolation("then_refuse", "the note was written, then the request was refused")
    return {"text": text}


@router.get("/sleep/{seconds}")
@served_on_event_loop
def sleep_in_the_database(seconds: float, request: Request) -> dict[str, str]:
    with Session(engine_for(request)) as session:
        session.execute(sa.text("SELECT pg_sleep(:seconds)"), {"seconds": seconds})
    return {"slept": str(seconds)}


@router.get("/no-request")
@served_on_event_loop
def without_the_request() -> dict[str, str]:
    return {}


def build(url: str) -> FastAPI:
    engine = make_engine(url)
    METADATA.create_all(engine)
    return create_app(
        title="loop",
        description="endpoints on the event loop",
        settings=ServiceSettings(log_level="WARNING"),
        engine=engine,
        routers=[router],
        readiness=[],
    )


@pytest.fixture
def served(make_database: Callable[[str], str]) -> Iterator[ThreadedServer]:
    server = ThreadedServer(build(make_database("loop")))
    server.start()
    yield server
    server.stop()


def notes(app: FastAPI) -> list[str]:
    with app.state.engine.connect() as connection:
        return list(connection.execute(sa.select(NOTES.c.text).order_by(NOTES.c.text)).scalars())


def test_the_endpoint_runs_on_the_loop_with_the_loop_engine(served: ThreadedServer) -> None:
    assert httpx.get(f"{served.url}/where").json() == {"on_loop": True, "loop_engine": True}


def test_a_wait_on_the_database_lets_other_requests_through(served: ThreadedServer) -> None:
    finished: list[str] = []

    def slow() -> None:
        httpx.get(f"{served.url}/sleep/3", timeout=30).raise_for_status()
        finished.append("slow")

    sleeper = threading.Thread(target=slow)
    sleeper.start()
    sleeping = sa.text("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'SELECT pg_sleep%'")
    while True:  # a transaction sees one snapshot of the server's activity: a new one each time
        with served.app.state.engine.connect() as connection:
            if connection.execute(sleeping).scalar_one():
                break
        assert sleeper.is_alive(), "the sleeping request ended before it reached the database"
        time.sleep(0.01)
    with httpx.Client(base_url=served.url, timeout=30) as client:
        for text in ("a", "b", "c"):
            assert client.post(f"/notes/{text}").status_code == 201
    finished.append("quick")
    sleeper.join()
    assert finished == ["quick", "slow"], "the quick requests waited for the sleeping one: the loop was blocked"


def test_a_refused_request_leaves_nothing_and_the_next_one_commits(served: ThreadedServer) -> None:
    refused = httpx.post(f"{served.url}/notes/refused", params={"then_refuse": True})
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert httpx.post(f"{served.url}/notes/kept").status_code == 201
    assert notes(served.app) == ["kept"]


def test_an_endpoint_without_the_request_is_a_programming_error(served: ThreadedServer) -> None:
    assert httpx.get(f"{served.url}/no-request").status_code == 500


def test_without_an_asynchronous_driver_the_endpoint_runs_on_a_worker_thread(tmp_path: Path) -> None:
    app = build(f"sqlite:///{tmp_path / 'loop.db'}")
    assert app.state.loop_engine is None
    server = ThreadedServer(app)
    server.start()
    try:
        assert httpx.get(f"{server.url}/where").json() == {"on_loop": False, "loop_engine": False}
        assert httpx.post(f"{server.url}/notes/kept").status_code == 201
        assert httpx.post(f"{server.url}/notes/refused", params={"then_refuse": True}).status_code == 422
        assert notes(app) == ["kept"]
    finally:
        server.stop()
