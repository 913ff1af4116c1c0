"""The command line every service shares: ``python -m services.<name> <command>``.

Commands: ``api`` (HTTP), ``relay`` (outbox -> Kafka), ``consume`` (Kafka -> handlers, for
services that consume), ``migrate`` / ``downgrade`` (Alembic), ``topics`` (create topics) and
``job <name> --date D`` (scheduled work, run by hand), ``scheduler`` (runs the jobs daily) and
``outbox`` (rows the relay set aside; ``--retry SEQ`` puts one back in line).
"""

from __future__ import annotations

import argparse
import logging
import socket
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from fastapi import FastAPI

from shared.eventbus import set_aside
from shared.eventbus.consumer import EventConsumer, Handler
from shared.eventbus.consumer_lag import ConsumerLag
from shared.eventbus.relay import OutboxRelay, kafka_producer_factory
from shared.eventbus.topics import TopicSpec, ensure_topics
from shared.platform import migrations
from shared.platform.business_date import business_today
from shared.platform.database import make_engine
from shared.platform.processes import serve_http, stop_on_signals
from shared.platform.request_context import configure_logging
from shared.platform.rules import Conflict, NotFound
from shared.platform.settings import ServiceSettings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConsumerSpec:
    group_id: str
    topics: Sequence[str]
    handlers: Mapping[str, Handler]
    ignored: frozenset[str] = frozenset()
    """Event types the service knows and has no use for: processed without effect. Any other type
    without a handler is parked in the dead-letter table."""

    def group_for(self, settings: ServiceSettings) -> str:
        """The consumer group as the broker knows it (the deployment's topic prefix in front)."""
        return f"{settings.topic_prefix}{self.group_id}"

    def topics_for(self, settings: ServiceSettings) -> list[str]:
        return [settings.topic(name) for name in self.topics]

    def lag_probe(self, settings: ServiceSettings) -> ConsumerLag:
        """The `/metrics` probe of this group's lag on its topics."""
        return ConsumerLag(settings.kafka_bootstrap_servers, self.group_for(settings), self.topics_for(settings))


@dataclass(frozen=True)
class ExtraCommand:
    """A command of one service only (``python -m services.portfolio export 2026Q3``)."""

    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[ServiceSettings, argparse.Namespace], int]


@dataclass(frozen=True)
class ServiceCommands:
    settings: Callable[[], ServiceSettings]
    build_app: Callable[[], FastAPI]
    migrations_dir: Path
    topics: Sequence[str]
    consumer: ConsumerSpec | None = None
    jobs: Mapping[str, Callable[[ServiceSettings, date], str]] = field(default_factory=dict)
    extra: Mapping[str, ExtraCommand] = field(default_factory=dict)
    scheduler: Callable[[ServiceSettings, threading.Event, bool], bool] | None = None
    """Runs the service's jobs daily until the event is set, or catches up once (the ``scheduler`` command);
    returns whether the last catch-up succeeded."""


def _ensure(settings: ServiceSettings, topics: Sequence[str]) -> list[str]:
    return ensure_topics(settings.kafka_bootstrap_servers, [TopicSpec(settings.topic(name)) for name in topics])


def run_relay(settings: ServiceSettings, topics: Sequence[str]) -> None:
    _ensure(settings, topics)
    engine = make_engine(settings.effective_database_url, pool_size=2, max_overflow=0)
    relay = OutboxRelay(
        engine,
        kafka_producer_factory(settings.kafka_bootstrap_servers, f"{settings.service_name}-relay"),
        batch_size=settings.relay_batch_size,
        idle_seconds=settings.relay_idle_seconds,
        max_attempts=settings.relay_max_attempts,
        retention=timedelta(hours=settings.outbox_retention_hours),
        idempotency_retention=timedelta(hours=settings.idempotency_retention_hours),
    )
    relay.run(stop_on_signals())


def run_consumer(settings: ServiceSettings, spec: ConsumerSpec) -> None:
    _ensure(settings, spec.topics)
    engine = make_engine(settings.effective_database_url, pool_size=2, max_overflow=0)
    consumer = EventConsumer(
        engine=engine,
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=spec.group_for(settings),
        topics=spec.topics_for(settings),
        handlers=spec.handlers,
        ignored=spec.ignored,
        instance_id=settings.consumer_instance_id or f"{settings.service_name}-{socket.gethostname()}",
        session_timeout_ms=settings.consumer_session_timeout_ms,
    )
    consumer.run(stop_on_signals())


def manage_outbox(settings: ServiceSettings, retry_seq: int | None) -> int:
    engine = make_engine(settings.effective_database_url, pool_size=1, max_overflow=0)
    try:
        if retry_seq is not None:
            try:
                set_aside.retry(engine, retry_seq)
            except (NotFound, Conflict) as exc:
                print(exc)
                return 1
            print(f"outbox row {retry_seq} is back in line")
            return 0
        rows = set_aside.set_aside_rows(engine)
        for row in rows:
            print(
                f"{row.seq}\t{row.topic}\t{row.message_key}\t{row.event_type}\tattempts={row.attempts}\t"
                f"held_back={row.held_back}\t{row.last_error}"
            )
        print(f"{len(rows)} row(s) set aside")
        return 0
    finally:
        engine.dispose()


def main(commands: ServiceCommands, argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("api", help="serve the HTTP API")
    sub.add_parser("relay", help="publish the outbox to Kafka")
    if commands.consumer is not None:
        sub.add_parser("consume", help="apply events from Kafka")
    up = sub.add_parser("migrate", help="upgrade the database schema")
    up.add_argument("--revision", default="head")
    down = sub.add_parser("downgrade", help="downgrade the database schema")
    down.add_argument("--revision", default="base")
    sub.add_parser("topics", help="create the Kafka topics")
    outbox = sub.add_parser("outbox", help="list the outbox rows the relay set aside, or retry one")
    outbox.add_argument("--retry", type=int, metavar="SEQ", help="put the set-aside row SEQ back in line")
    if commands.jobs:
        job = sub.add_parser("job", help="run a scheduled job once (idempotent per job and date)")
        job.add_argument("name", choices=sorted(commands.jobs))
        job.add_argument(
            "--date", type=date.fromisoformat, default=business_today(), help="business date (ISO), today in Brussels"
        )
    if commands.scheduler is not None:
        daily = sub.add_parser("scheduler", help="run the jobs daily in Brussels time, catching up missed days")
        daily.add_argument(
            "--once", action="store_true", help="catch up every job to today once and exit (for a CronJob)"
        )
    for name, extra in commands.extra.items():
        extra.arguments(sub.add_parser(name, help=extra.help))
    args = parser.parse_args(argv)

    settings = commands.settings()
    configure_logging(f"{settings.service_name}-{args.command}", settings.log_level, settings.log_format)
    if args.command in commands.extra:
        return commands.extra[args.command].run(settings, args)
    if args.command == "api":
        serve_http(commands.build_app, settings)
    elif args.command == "relay":
        run_relay(settings, commands.topics)
    elif args.command == "consume":
        assert commands.consumer is not None
        run_consumer(settings, commands.consumer)
    elif args.command == "migrate":
        migrations.upgrade(commands.migrations_dir, settings.effective_database_url, args.revision)
    elif args.command == "downgrade":
        migrations.downgrade(commands.migrations_dir, settings.effective_database_url, args.revision)
    elif args.command == "job":
        logger.info(commands.jobs[args.name](settings, args.date))
    elif args.command == "scheduler":
        assert commands.scheduler is not None
        if not commands.scheduler(settings, stop_on_signals(), args.once):
            return 1
    elif args.command == "outbox":
        return manage_outbox(settings, args.retry)
    elif args.command == "topics":
        created = _ensure(settings, commands.topics)
        logger.info("topics created: %s", ", ".join(created) or "none (all exist)")
    return 0
