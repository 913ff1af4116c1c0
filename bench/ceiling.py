"""The ceiling of the API benchmark: a minimal FastAPI endpoint that writes one row and nothing else.

No authentication, no idempotency record, no outbox, no schedule: one INSERT in one
transaction on the same PostgreSQL server, through the same driver and pool size as the
services. Written the two ways a FastAPI user would write it:
- `threads`: a plain `def` endpoint with SQLAlchemy's engine, run by FastAPI on a worker thread;
- `loop`: an `async def` endpoint with SQLAlchemy's asynchronous engine (psycopg's asynchronous
  driver), run on the event loop as the services' busiest endpoints are.

`python -m bench.ceiling PORT WORKERS [threads|loop]` serves it the way the services are served;
`CEILING_DATABASE_URL` names the database (its table is made at start-up).
"""

from __future__ import annotations

import os
import sys
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import create_async_engine

from shared.platform.processes import serve_http
from shared.platform.settings import ServiceSettings

ROWS = sa.Table(
    "ceiling_row",
    sa.MetaData(),
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)


class Written(BaseModel):
    id: str


def build_app() -> FastAPI:
    """The endpoint on a worker thread: a plain `def` and SQLAlchemy's engine."""
    engine = sa.create_engine(os.environ["CEILING_DATABASE_URL"], pool_size=10, max_overflow=20)
    ROWS.metadata.create_all(engine, checkfirst=True)
    app = FastAPI()

    @app.post("/rows", status_code=201)
    def write_row(body: dict[str, object]) -> Written:
        row_id = str(uuid.uuid4())
        with engine.begin() as connection:
            connection.execute(ROWS.insert().values(id=row_id, body=str(body), created_at=datetime.now(UTC)))
        return Written(id=row_id)

    return app


def build_loop_app() -> FastAPI:
    """The endpoint on the event loop: an `async def` and SQLAlchemy's asynchronous engine."""
    url = sa.engine.make_url(os.environ["CEILING_DATABASE_URL"])
    setup = sa.create_engine(url)
    ROWS.metadata.create_all(setup, checkfirst=True)
    setup.dispose()
    engine = create_async_engine(url.set(drivername="postgresql+psycopg_async"), pool_size=10, max_overflow=20)
    app = FastAPI()

    @app.post("/rows", status_code=201)
    async def write_row(body: dict[str, object]) -> Written:
        row_id = str(uuid.uuid4())
        async with engine.begin() as connection:
            await connection.execute(ROWS.insert().values(id=row_id, body=str(body), created_at=datetime.now(UTC)))
        return Written(id=row_id)

    return app


if __name__ == "__main__":
    port, workers = int(sys.argv[1]), int(sys.argv[2])
    flavour = sys.argv[3] if len(sys.argv) > 3 else "threads"
    serve_http(
        build_loop_app if flavour == "loop" else build_app,
        ServiceSettings(http_port=port, http_workers=workers, log_level="WARNING"),
    )
