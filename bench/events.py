"""Events: outbox relay throughput, and commit-to-projection latency in the portfolio at an offered rate.

Against a real Kafka broker (KRaft, from the Maven jars) and a PostgreSQL server of its own:

1. **Relay throughput**: `--backlog` events committed to SIFO's outbox, then one
   `python -m services.sifo relay` process started; the time until the outbox is empty.
2. **Offered load**: a writer commits SIFO `financier.recognised` events to the outbox at
   `--rates` events per second (a commit every 10 ms) for `--seconds`, while the relay publishes
   and `--consumers` portfolio consumer processes in one group apply them (six partitions).
   Latency is the portfolio's inbox `processed_at` minus the outbox row's `created_at` (the
   commit), per event; throughput is events applied per second, first commit to last applied.

Each event is the real envelope SIFO publishes, and each is applied by the portfolio's own
handler in its own transaction with its inbox row, as in production.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, func, select

from bench.infrastructure import migrate, postgres, process, service
from bench.summary import Figure
from deploy.in_process import free_port
from deploy.kafka.broker import KafkaBroker
from shared.contracts.topics import SIFO_EVENTS
from shared.eventbus.tables import InboxRecord, OutboxMessage
from shared.platform.database import make_engine

from services.sifo import events
from services.sifo.models import SifoFinancier

TICK = 0.01


@dataclass(frozen=True)
class Offered:
    rate: int
    consumers: int
    written: int
    offered_per_second: float
    per_second: float
    p50_ms: float
    p99_ms: float


def financier_event(n: int) -> SifoFinancier:
    return SifoFinancier(
        id=str(uuid.uuid4()),
        enterprise_number=f"0{5_000_000 + n:07d}00",
        name=f"Financier {n}",
        iban="BE68539007547034",
        recognised_from=date(2026, 1, 1),
        created_at=datetime.now(UTC),
        created_by="bench@pmv.example",
    )


def outbox_rows(topic: str, count: int, first: int) -> list[dict[str, object]]:
    """Outbox rows as SIFO's `append` writes them, made ahead so the writer only commits."""
    rows = []
    for n in range(first, first + count):
        envelope = events.financier_recognised(financier_event(n))
        rows.append(
            {
                "event_id": envelope.id,
                "topic": topic,
                "message_key": envelope.subject,
                "event_type": envelope.type,
                "envelope": envelope.model_dump_json(),
                "attempts": 0,
            }
        )
    return rows


def commit_rows(engine: sa.Engine, rows: list[dict[str, object]]) -> None:
    """One transaction; each row's `created_at` is the commit's moment (the latency starts there)."""
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(sa.insert(OutboxMessage.__table__), [{**row, "created_at": now} for row in rows])  # type: ignore[attr-defined]


def commit_events(engine: sa.Engine, topic: str, count: int, first: int) -> None:
    commit_rows(engine, outbox_rows(topic, count, first))


def pending(engine: sa.Engine) -> int:
    with Session(engine) as session:
        return int(
            session.exec(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.published_at.is_(None))  # type: ignore[union-attr]
            ).one()
        )


def applied(engine: sa.Engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(InboxRecord)).one())


@contextmanager
def broker() -> Iterator[str]:
    """A broker of its own, its data directory removed after it stops."""
    with tempfile.TemporaryDirectory(prefix="sef-bench-kafka-") as home:
        kafka = KafkaBroker(Path(home) / "data", port=free_port(), controller_port=free_port())
        kafka.start()
        try:
            yield kafka.bootstrap_servers
        finally:
            kafka.stop()


def relay_throughput(sifo_url: str, env: dict[str, str], backlog: int) -> float:
    """Events per second from the outbox to Kafka, timed from the backlog's commit to an empty outbox."""
    engine = make_engine(sifo_url)
    topic = env["SIFO_TOPIC_PREFIX"] + SIFO_EVENTS
    rows = outbox_rows(topic, backlog, 0)
    with process(service("sifo", "relay"), env):
        commit_rows(engine, rows[:1])
        while pending(engine):
            time.sleep(0.05)  # the relay is connected and has published once
        started = time.perf_counter()
        commit_rows(engine, rows[1:])
        while pending(engine):
            time.sleep(0.02)
        elapsed = time.perf_counter() - started
    engine.dispose()
    return (backlog - 1) / elapsed


def offered_load(
    sifo_url: str,
    portfolio_url: str,
    sifo_env: dict[str, str],
    portfolio_env: dict[str, str],
    rate: int,
    consumers: int,
    seconds: float,
) -> Offered:
    sifo = make_engine(sifo_url)
    portfolio = make_engine(portfolio_url)
    topic = sifo_env["SIFO_TOPIC_PREFIX"] + SIFO_EVENTS
    per_tick = max(1, round(rate * TICK))
    ticks = int(seconds / TICK)
    prepared = outbox_rows(topic, per_tick * ticks, 1_000_000)
    written = 0
    with ExitStack() as running:
        running.enter_context(process(service("sifo", "relay"), sifo_env))
        for instance in range(consumers):
            env = {**portfolio_env, "PORTFOLIO_CONSUMER_INSTANCE_ID": f"bench-{instance}"}
            running.enter_context(process(service("portfolio", "consume"), env))
        time.sleep(8)  # the group forms and takes its partitions before the clock starts
        base = applied(portfolio)
        started = time.perf_counter()
        next_tick = started
        for tick in range(ticks):
            commit_rows(sifo, prepared[tick * per_tick : (tick + 1) * per_tick])
            written += per_tick
            next_tick += TICK
            time.sleep(max(0.0, next_tick - time.perf_counter()))
        offered_for = time.perf_counter() - started
        deadline = time.monotonic() + 600
        while applied(portfolio) - base < written and time.monotonic() < deadline:
            time.sleep(0.1)
        elapsed = time.perf_counter() - started
    latencies = commit_to_projection(sifo, portfolio)
    sifo.dispose()
    portfolio.dispose()
    cuts = statistics.quantiles(latencies, n=100)
    return Offered(rate, consumers, written, written / offered_for, written / elapsed, cuts[49] * 1000, cuts[98] * 1000)


def commit_to_projection(sifo: sa.Engine, portfolio: sa.Engine) -> list[float]:
    with Session(sifo) as session:
        committed = dict(session.exec(select(OutboxMessage.event_id, OutboxMessage.created_at)).all())
    with Session(portfolio) as session:
        processed = session.exec(select(InboxRecord.event_id, InboxRecord.processed_at)).all()
    return [(at - committed[event_id]).total_seconds() for event_id, at in processed if event_id in committed]


def main(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backlog", type=int, default=20_000)
    parser.add_argument("--rates", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--consumers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args(argv)
    results: list[Offered] = []
    with postgres() as cluster, broker() as kafka:
        sifo_url = cluster.create_database("bench_relay")
        prefix = f"bench{uuid.uuid4().hex[:6]}."
        env = {
            "SIFO_DATABASE_URL": sifo_url,
            "SIFO_KAFKA_BOOTSTRAP_SERVERS": kafka,
            "SIFO_TOPIC_PREFIX": prefix,
            "SIFO_LOG_LEVEL": "WARNING",
            "SIFO_RELAY_IDLE_SECONDS": "0.01",
        }
        migrate("sifo", env)
        relay_rate = relay_throughput(sifo_url, env, args.backlog)
        for consumers in args.consumers:
            for rate in args.rates:
                run = f"{rate}_{consumers}"
                prefix = f"bench{uuid.uuid4().hex[:6]}."
                sifo_url = cluster.create_database(f"bench_sifo_{run}")
                portfolio_url = cluster.create_database(f"bench_portfolio_{run}")
                sifo_env = {**env, "SIFO_DATABASE_URL": sifo_url, "SIFO_TOPIC_PREFIX": prefix}
                portfolio_env = {
                    "PORTFOLIO_DATABASE_URL": portfolio_url,
                    "PORTFOLIO_KAFKA_BOOTSTRAP_SERVERS": kafka,
                    "PORTFOLIO_TOPIC_PREFIX": prefix,
                    "PORTFOLIO_LOG_LEVEL": "WARNING",
                }
                migrate("sifo", sifo_env)
                migrate("portfolio", portfolio_env)
                results.append(
                    offered_load(sifo_url, portfolio_url, sifo_env, portfolio_env, rate, consumers, args.seconds)
                )
    print(f"relay: {args.backlog:,} events from the outbox to Kafka at {relay_rate:,.0f} events/s")
    header = f"{'offered/s':>9s} {'achieved':>9s} {'consumers':>9s} {'events':>7s} {'applied/s':>9s}"
    print(f"{header} {'p50 ms':>8s} {'p99 ms':>8s}")
    for row in results:
        print(
            f"{row.rate:9,d} {row.offered_per_second:9,.0f} {row.consumers:9d} {row.written:7,d} "
            f"{row.per_second:9,.0f} {row.p50_ms:8,.0f} {row.p99_ms:8,.0f}"
        )
    figures = [Figure("events", "relay, outbox to Kafka", f"{relay_rate:,.0f} events/s", f"{args.backlog:,} events")]
    figures += [
        Figure(
            "events",
            f"{row.rate:,}/s offered ({row.offered_per_second:,.0f} achieved), "
            f"{row.consumers} consumer{'s' if row.consumers > 1 else ''}",
            f"{row.per_second:,.0f} applied/s",
            f"commit to projection p50 {row.p50_ms:,.0f} ms, p99 {row.p99_ms:,.0f} ms",
        )
        for row in results
    ]
    return figures


def quick() -> list[Figure]:
    return main(["--backlog", "5000", "--rates", "1000", "10000", "--consumers", "2", "--seconds", "2"])


if __name__ == "__main__":
    main()
