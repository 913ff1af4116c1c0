"""Run the whole platform locally: Kafka, a database per service, every service process.

``python -m deploy.stack run`` (what ``make run`` calls) starts, in order:

1. the Kafka broker from the Maven jars under ``var/kafka`` (port ``KAFKA_PORT``, default 9092),
   unless ``KAFKA_BOOTSTRAP_SERVERS`` names a broker that already runs;
2. the databases: on the server of ``DATABASE_URL`` when set (one database per service, named
   ``STACK_DATABASE_PREFIX`` + the service, created if missing), SQLite files under ``var/`` with
   ``--sqlite``, otherwise a PostgreSQL cluster under ``var/postgres`` (port
   ``STACK_POSTGRES_PORT``, default 5433);
3. ``migrate`` for each service, as the explicit step before start-up;
4. each service's API, outbox relay and consumer as separate processes, and each lender's
   scheduler (payout, due and overdue runs daily in Brussels time, missed days caught up),
   restarted if they die;
5. on the local default databases when they hold nothing yet (not on a configured
   ``DATABASE_URL``; ``DEMO=0`` skips it), the demo: before the processes start, a year of SIFO
   history (``deploy.demo_history``); once every service is ready, today's portfolio
   (``deploy.demo``) and the export of the last quarter that ended. ``var/demo.json`` notes
   each step done, so a load that was cut off is finished on the next start.

Ctrl-C or SIGTERM stops the processes, the broker and the cluster it started.
``python -m deploy.stack stop`` does the same from another terminal (``make stop``).
``STACK_VAR`` moves ``var/`` (the data and the supervisor's ``stack.json``) elsewhere.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import func
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from deploy import demo, demo_history
from deploy.demo_progress import DemoProgress
from deploy.kafka.broker import KafkaBroker
from deploy.postgres.cluster import PostgresCluster
from sefund.client import LOCAL_URLS, connect
from shared.platform.business_date import business_today
from shared.platform.database import make_engine
from shared.platform.settings import ServiceSettings

from services.sifo.app import SifoSettings
from services.sifo.models import SifoFinancier
from services.state_aid.app import StateAidSettings

ROOT = Path(__file__).resolve().parents[1]


def var_directory() -> Path:
    return Path(os.environ.get("STACK_VAR", ROOT / "var"))


def state_file() -> Path:
    """Where the running supervisor leaves its pid for ``stop``."""
    return var_directory() / "stack.json"


@dataclass(frozen=True)
class Service:
    name: str
    port: int
    commands: tuple[str, ...]


SERVICES = (
    Service("state_aid", 8105, ("api", "relay", "consume")),
    Service("sifo", 8101, ("api", "relay", "scheduler")),
    Service("energy", 8102, ("api", "relay", "scheduler")),
    Service("trividend", 8103, ("api", "relay", "scheduler")),
    Service("portfolio", 8104, ("api", "relay", "consume")),
)


def local_cluster(var: Path, port: int | None) -> PostgresCluster:
    """The embedded PostgreSQL of ``make run``: durable, because what it holds is meant to be kept."""
    return PostgresCluster(var / "postgres", port=port)


def _database_urls(var: Path, sqlite: bool) -> tuple[dict[str, str], PostgresCluster | None]:
    server = os.environ.get("DATABASE_URL")
    prefix = os.environ.get("STACK_DATABASE_PREFIX", "")
    cluster: PostgresCluster | None = None
    if sqlite:
        return {service.name: f"sqlite:///{var / (prefix + service.name + '.db')}" for service in SERVICES}, None
    if not server:
        cluster = local_cluster(var, int(os.environ.get("STACK_POSTGRES_PORT", "5433")))
        cluster.start()
        server = cluster.url()
    admin = make_url(server).set(drivername="postgresql")
    urls: dict[str, str] = {}
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as connection:
        for service in SERVICES:
            name = prefix + service.name
            exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if exists is None:
                connection.execute(f'CREATE DATABASE "{name}"')
            urls[service.name] = (
                make_url(server)
                .set(drivername="postgresql+psycopg", database=name)
                .render_as_string(hide_password=False)
            )
    return urls, cluster


def _environment(service: Service, database_url: str, kafka: str) -> dict[str, str]:
    prefix = service.name.upper()
    env = dict(os.environ)
    env.setdefault(f"{prefix}_HTTP_PORT", str(service.port))
    env[f"{prefix}_DATABASE_URL"] = database_url
    env[f"{prefix}_KAFKA_BOOTSTRAP_SERVERS"] = kafka
    register_port = os.environ.get("STATE_AID_HTTP_PORT", "8105")
    env.setdefault(f"{prefix}_STATE_AID_URL", f"http://127.0.0.1:{register_port}")
    return env


def demo_wanted(environment: Mapping[str, str]) -> bool:
    """The demo goes only into the local default databases, and not when DEMO=0."""
    return environment.get("DEMO", "1") != "0" and not environment.get("DATABASE_URL")


def say(line: str) -> None:
    print(line, flush=True)


def _sifo_is_empty(url: str) -> bool:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return session.exec(select(func.count()).select_from(SifoFinancier)).one() == 0
    finally:
        engine.dispose()


def make_demo_history(
    progress: DemoProgress, urls: Mapping[str, str], kafka: str, stopping: Callable[[], bool]
) -> None:
    """The year of SIFO history, in this process, before the services' processes start (Ctrl-C stops it)."""
    if progress.done("history"):
        return
    started = time.monotonic()
    try:
        report = demo_history.make_history(
            SifoSettings(database_url=urls["sifo"], kafka_bootstrap_servers=kafka),
            StateAidSettings(database_url=urls["state_aid"], kafka_bootstrap_servers=kafka),
            business_today(),
            progress=say,
            stopping=stopping,
        )
    except Exception as error:  # noqa: BLE001 - the stack starts anyway; the next start finishes the history
        say(f"demo history: stopped ({error}); the next `make run` finishes it")
        return
    progress.mark("history")
    made = ", ".join(f"{count} {what}" for what, count in report.counts.items())
    say(f"demo history made in {time.monotonic() - started:.0f} s: {made}")


def load_demo(progress: DemoProgress) -> None:
    """Wait until every service is ready, then load today's portfolio and the last quarter's export."""
    who = demo.people(ServiceSettings(), connect)
    deadline = time.monotonic() + 180
    for name, url in LOCAL_URLS.items():
        while not ready(url):
            if time.monotonic() > deadline:
                say(f"demo: {name} did not become ready; nothing loaded")
                return
            time.sleep(1)
    try:
        started = time.monotonic()
        if not progress.done("today"):
            report = demo.load(who, business_today(), progress=say)
            progress.mark("today")
            loaded = ", ".join(f"{count} {what}" for what, count in report.counts.items())
            say(f"demo loaded in {time.monotonic() - started:.0f} s: {loaded}")
        if progress.done("history") and not progress.done("export"):
            export = demo.export_last_quarter(who, business_today(), LOCAL_URLS, progress=say)
            progress.mark("export")
            say(f"demo: the {export['quarter']} export is ready: `.venv/bin/sefund exports download {export['id']}`")
    except Exception as error:  # noqa: BLE001 - the stack runs on; the next start finishes the demo
        say(f"demo: stopped ({error}); the next `make run` finishes it")
        return
    say("Look at: http://127.0.0.1:8101/docs (SIFO), `.venv/bin/sefund loans list`,")
    say("         `.venv/bin/sefund decisions inbox` with an approver token (see docs/walkthroughs.md)")


def ready(url: str) -> bool:
    """Whether the service at `url` answers its readiness probe."""
    try:
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def run(sqlite: bool) -> int:
    var = var_directory()
    var.mkdir(parents=True, exist_ok=True)
    stopping = False

    def request_stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    state_file().write_text(json.dumps({"supervisor": os.getpid()}))
    broker: KafkaBroker | None = None
    cluster: PostgresCluster | None = None
    processes: dict[tuple[str, str], subprocess.Popen[bytes]] = {}
    try:
        kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        if not kafka:
            broker = KafkaBroker(var / "kafka" / "data", port=int(os.environ.get("KAFKA_PORT", "9092")))
            broker.start()
            kafka = broker.bootstrap_servers
        urls, cluster = _database_urls(var, sqlite)
        environments = {service.name: _environment(service, urls[service.name], kafka) for service in SERVICES}
        for service in SERVICES:
            subprocess.run(
                [sys.executable, "-m", f"services.{service.name}", "migrate"],
                cwd=ROOT,
                env=environments[service.name],
                check=True,
            )
        progress = DemoProgress(var / "demo.json")
        with_demo = demo_wanted(os.environ) and progress.begin(lambda: _sifo_is_empty(urls["sifo"]))
        if with_demo:
            make_demo_history(progress, urls, kafka, lambda: stopping)
        if stopping:
            return 0

        def launch(service: Service, command: str) -> None:
            processes[(service.name, command)] = subprocess.Popen(
                [sys.executable, "-m", f"services.{service.name}", command], cwd=ROOT, env=environments[service.name]
            )

        for service in SERVICES:
            for command in service.commands:
                launch(service, command)
        say(f"Kafka at {kafka}")
        for service in SERVICES:
            port = environments[service.name][f"{service.name.upper()}_HTTP_PORT"]
            say(f"{service.name}: http://127.0.0.1:{port}/docs  (database {urls[service.name]})")
        say("Tokens: .venv/bin/sefund token --subject you@example.org --role fund_manager")
        say("Stop with Ctrl-C or `make stop`.")
        if with_demo:
            threading.Thread(target=load_demo, args=(progress,), name="demo", daemon=True).start()
        while not stopping:
            time.sleep(1)
            for (name, command), process in list(processes.items()):
                if process.poll() is not None and not stopping:
                    say(f"{name} {command} exited with {process.returncode}; restarting")
                    launch(next(s for s in SERVICES if s.name == name), command)
    finally:
        _stop_all(processes.values())
        if broker is not None:
            broker.stop()
        if cluster is not None:
            cluster.stop()
        state_file().unlink(missing_ok=True)
    return 0


def _stop_all(processes: Iterable[subprocess.Popen[bytes]], grace: float = 20.0) -> None:
    """SIGTERM to every process at once, then SIGKILL to any still running after `grace` seconds in all."""
    running = [process for process in processes if process.poll() is None]
    for process in running:
        process.terminate()
    deadline = time.monotonic() + grace
    for process in running:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def stop() -> int:
    pid_file = state_file()
    if not pid_file.exists():
        print(f"no stack is running ({pid_file} is absent)")
        return 0
    pid = int(json.loads(pid_file.read_text())["supervisor"])
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pid_file.unlink(missing_ok=True)
        return 0
    for _ in range(120):
        if not pid_file.exists():
            return 0
        time.sleep(0.5)
    print(f"the stack (pid {pid}) did not stop within 60 s", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.stack", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=("run", "stop"))
    parser.add_argument("--sqlite", action="store_true", help="SQLite files under var/ instead of PostgreSQL")
    args = parser.parse_args(argv)
    return run(args.sqlite) if args.command == "run" else stop()


if __name__ == "__main__":
    raise SystemExit(main())
