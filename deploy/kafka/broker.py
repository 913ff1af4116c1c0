"""Launch a real single-node Apache Kafka broker (KRaft, broker+controller) locally.

The broker classpath comes from Maven Central: ``deploy/kafka/pom.xml`` depends on
``org.apache.kafka:kafka_2.13`` plus the log4j2 SLF4J binding, and
:func:`ensure_jars` copies the runtime jars into ``var/kafka/libs`` once.
:class:`KafkaBroker` then formats a data directory (once) and runs
``java -cp <libs>/* kafka.Kafka server.properties`` detached.

Layout of a broker ``data_dir``::

    ports.json          chosen ports, reused when the same data_dir is started again
    server.properties   rewritten on every start
    kraft-logs/         Kafka ``log.dirs`` (topic data and the KRaft metadata log)
    logs/server.log     log4j2 file appender
    broker.log          the JVM's stdout/stderr (console appender)
    broker.pid          pid of the running broker

Command line::

    python -m deploy.kafka.broker jars|start|stop|status [--data-dir var/kafka/data]
                                  [--port 9092] [--controller-port 9093]

Readiness checks use ``kafka-python``, imported lazily by
:meth:`KafkaBroker.wait_ready` only.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import fcntl
import hashlib
import importlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

__all__ = [
    "DEFAULT_DATA_DIR",
    "DEFAULT_LIBS_DIR",
    "KAFKA_MAIN_CLASS",
    "STORAGE_TOOL_MAIN_CLASS",
    "KafkaBroker",
    "KafkaBrokerError",
    "ensure_jars",
    "main",
]

_HERE = Path(__file__).resolve().parent
REPO_ROOT = _HERE.parents[1]
POM_FILE = _HERE / "pom.xml"
LOG4J2_CONFIG = _HERE / "log4j2.yaml"
DEFAULT_LIBS_DIR = REPO_ROOT / "var" / "kafka" / "libs"
DEFAULT_DATA_DIR = REPO_ROOT / "var" / "kafka" / "data"

#: Server entry point, what ``bin/kafka-server-start.sh`` runs.
KAFKA_MAIN_CLASS = "kafka.Kafka"
#: Storage formatter, what ``bin/kafka-storage.sh`` runs (same name in 4.3.1).
STORAGE_TOOL_MAIN_CLASS = "kafka.tools.StorageTool"

NODE_ID = 1
_MARKER_NAME = ".complete"
_LOCK_NAME = ".lock"
_HOST = "127.0.0.1"
_LOG_TAIL_LINES = 60


def _cluster_id() -> str:
    """A random KRaft cluster id (16 bytes, URL-safe base64) that does not start with '-'.

    One id in 64 would, and the storage tool's argument parser then reads it as an option
    ("argument --cluster-id: expected one argument"); Kafka's own generator skips those too.
    """
    while True:
        candidate = base64.urlsafe_b64encode(os.urandom(16)).decode("ascii").rstrip("=")
        if not candidate.startswith("-"):
            return candidate


class KafkaBrokerError(RuntimeError):
    """Raised when the jars cannot be fetched or the broker cannot be started."""


# ------------------------------------------------------------------------------------
# jars
# --------------------------------------------------------------------------------------


def _pom_stamp() -> str:
    return hashlib.sha256(POM_FILE.read_bytes()).hexdigest()


def _jars_complete(libs_dir: Path, stamp: str) -> bool:
    marker = libs_dir / _MARKER_NAME
    try:
        return marker.read_text(encoding="utf-8").strip() == stamp
    except OSError:
        return False


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (serialises parallel test workers)."""
    with path.open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def ensure_jars(libs_dir: Path = DEFAULT_LIBS_DIR) -> Path:
    """Make sure the Kafka broker jars are in ``libs_dir``; return it (absolute).

    Maven runs only when the marker file ``<libs_dir>/.complete`` is missing or was
    written for a different ``pom.xml`` (it holds the pom's SHA-256); the marker is
    written after a successful copy, so an interrupted download is redone. Later
    calls cost one file read.
    Concurrent callers are serialised with a file lock.
    """
    libs_dir = Path(libs_dir).resolve()
    stamp = _pom_stamp()
    if _jars_complete(libs_dir, stamp):
        return libs_dir
    libs_dir.mkdir(parents=True, exist_ok=True)
    with _file_lock(libs_dir / _LOCK_NAME):
        if _jars_complete(libs_dir, stamp):
            return libs_dir
        (libs_dir / _MARKER_NAME).unlink(missing_ok=True)
        for stale in libs_dir.glob("*.jar"):
            stale.unlink()
        mvn = shutil.which("mvn")
        if mvn is None:
            raise KafkaBrokerError("Maven ('mvn') is not on PATH; it is needed to fetch the Kafka jars")
        command = [
            mvn,
            "-q",
            "-B",
            "-f",
            str(POM_FILE),
            "dependency:copy-dependencies",
            "-DincludeScope=runtime",
            f"-DoutputDirectory={libs_dir}",
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=REPO_ROOT)
        if result.returncode != 0:
            output = (result.stdout + result.stderr).strip().splitlines()
            raise KafkaBrokerError(
                f"mvn dependency:copy-dependencies failed (exit {result.returncode}):\n"
                + "\n".join(output[-_LOG_TAIL_LINES:])
            )
        if not any(libs_dir.glob("kafka_2.13-*.jar")):
            raise KafkaBrokerError(f"mvn succeeded but no kafka_2.13 jar landed in {libs_dir}")
        (libs_dir / _MARKER_NAME).write_text(stamp + "\n", encoding="utf-8")
    return libs_dir


# ------------------------------------------------------------------------------------
# small process / port helpers
# --------------------------------------------------------------------------------------


def _free_port(exclude: Sequence[int] = ()) -> int:
    """Return a TCP port on 127.0.0.1 that is free now (and not in ``exclude``)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((_HOST, 0))
            port = int(sock.getsockname()[1])
        if port not in exclude:
            return port


def _port_is_bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((_HOST, port))
        except OSError:
            return False
    return True


def _port_accepts(port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((_HOST, port), timeout=timeout):
            return True
    except OSError:
        return False


def _pid_alive(pid: int) -> bool:
    """Tell whether ``pid`` exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return True  # no procfs: trust kill(0)
    state = stat.rsplit(")", 1)[-1].split()[0]
    return state not in ("Z", "X")


def _cmdline(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def _tail(path: Path, offset: int = 0, lines: int = _LOG_TAIL_LINES) -> str:
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            data = handle.read()
    except OSError:
        return f"(no log at {path})"
    text = data.decode(errors="replace").rstrip().splitlines()
    return "\n".join(text[-lines:]) if text else "(log is empty)"


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return str(Path(java_home) / "bin" / "java")
    java = shutil.which("java")
    if java is None:
        raise KafkaBrokerError("'java' is not on PATH (and JAVA_HOME is unset); Kafka needs Java 17+")
    return java


# ------------------------------------------------------------------------------------
# broker
# --------------------------------------------------------------------------------------


class KafkaBroker:
    """A single-node KRaft broker (``process.roles=broker,controller``) in ``data_dir``.

    Ports left as ``None`` are picked free on first use and persisted in
    ``<data_dir>/ports.json`` when the broker starts, so restarting the same
    ``data_dir`` reuses them (clients keep their ``bootstrap_servers``) and keeps
    the topic data. The broker process is detached (own session), so it outlives
    the Python process that started it until :meth:`stop`/:meth:`kill` (or
    ``python -m deploy.kafka.broker stop``).
    """

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        controller_port: int | None = None,
        heap: str = "512m",
        libs_dir: Path | None = None,
    ) -> None:
        """Describe a broker; nothing is started or written until :meth:`start`.

        Args:
            data_dir: holds config, data, logs and pid file (created on start).
            port: PLAINTEXT client port; ``None`` = persisted port, else a free one.
            controller_port: KRaft controller port; ``None`` = persisted, else free.
                It cannot change once the data directory is formatted (it is part of the
                recorded voter set).
            heap: JVM ``-Xmx`` value.
            libs_dir: jar directory; defaults to ``<repo>/var/kafka/libs``.
        """
        self.data_dir = Path(data_dir).resolve()
        self.heap = heap
        self.libs_dir = Path(libs_dir).resolve() if libs_dir is not None else DEFAULT_LIBS_DIR
        saved = self._read_ports()
        saved_controller = saved.get("controller_port")
        if (
            controller_port is not None
            and saved_controller is not None
            and controller_port != saved_controller
            and self.is_formatted()
        ):
            raise ValueError(
                f"{self.data_dir} was formatted with controller port "
                f"{saved_controller}; "
                f"it cannot be started with controller port {controller_port}"
            )
        self.port: int = port if port is not None else saved.get("port") or _free_port()
        self.controller_port: int = (
            controller_port if controller_port is not None else saved_controller or _free_port(exclude=(self.port,))
        )
        if self.port == self.controller_port:
            raise ValueError("port and controller_port must differ")
        #: ``"127.0.0.1:<port>"`` -- what clients pass as ``bootstrap_servers``.
        self.bootstrap_servers: str = f"{_HOST}:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None
        self._log_offset = 0

    # -- paths ----------------------------------------------------------------------

    @property
    def ports_file(self) -> Path:
        """``<data_dir>/ports.json``."""
        return self.data_dir / "ports.json"

    @property
    def properties_file(self) -> Path:
        """``<data_dir>/server.properties``."""
        return self.data_dir / "server.properties"

    @property
    def log_dirs(self) -> Path:
        """Kafka ``log.dirs`` (topic partitions and the metadata log)."""
        return self.data_dir / "kraft-logs"

    @property
    def pid_file(self) -> Path:
        """``<data_dir>/broker.pid``."""
        return self.data_dir / "broker.pid"

    @property
    def log_file(self) -> Path:
        """``<data_dir>/broker.log``: the JVM's stdout and stderr."""
        return self.data_dir / "broker.log"

    def __repr__(self) -> str:
        return f"KafkaBroker(data_dir={str(self.data_dir)!r}, bootstrap_servers={self.bootstrap_servers!r})"

    # -- state ----------------------------------------------------------------------

    def _read_ports(self) -> dict[str, int]:
        try:
            raw = json.loads(self.ports_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(raw, dict):
            return {}
        return {k: int(v) for k, v in raw.items() if k in ("port", "controller_port")}

    def _write_ports(self) -> None:
        payload = {"port": self.port, "controller_port": self.controller_port}
        self.ports_file.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")

    def is_formatted(self) -> bool:
        """Tell whether ``StorageTool format`` has run for this data directory."""
        return (self.log_dirs / "meta.properties").is_file()

    def _pid(self) -> int | None:
        """Pid of the live broker process, or ``None``."""
        if self._process is not None:
            if self._process.poll() is None:
                return self._process.pid
            self._process = None
            return None
        try:
            pid = int(self.pid_file.read_text(encoding="utf-8").strip())
        except (OSError, ValueError):
            return None
        if not _pid_alive(pid):
            return None
        cmdline = _cmdline(pid)
        if cmdline is not None and (KAFKA_MAIN_CLASS not in cmdline or str(self.properties_file) not in cmdline):
            return None  # the pid was reused by an unrelated process
        return pid

    @property
    def pid(self) -> int | None:
        """Pid of the running broker, or ``None`` if it is not running."""
        return self._pid()

    def is_running(self) -> bool:
        """Tell whether this ``data_dir``'s broker process is alive (maybe not ready)."""
        return self._pid() is not None

    # -- lifecycle ------------------------------------------------------------------

    def _server_properties(self) -> str:
        plain = f"PLAINTEXT://{_HOST}:{self.port}"
        controller = f"{_HOST}:{self.controller_port}"
        settings = {
            "process.roles": "broker,controller",
            "node.id": str(NODE_ID),
            "controller.quorum.bootstrap.servers": controller,
            "listeners": f"{plain},CONTROLLER://{controller}",
            "advertised.listeners": plain,
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": ("CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"),
            "log.dirs": str(self.log_dirs),
            "auto.create.topics.enable": "false",
            "num.partitions": "3",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "10",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            # After a SIGKILL the restarted broker is refused
            # (DUPLICATE_BROKER_REGISTRATION) until the old registration's session
            # expires: 9 s by default.
            "broker.heartbeat.interval.ms": "1000",
            "broker.session.timeout.ms": "4000",
        }
        lines = ["# Written by deploy/kafka/broker.py on every start; edits are overwritten."]
        lines += [f"{key}={value}" for key, value in settings.items()]
        return "\n".join(lines) + "\n"

    def _java_base(self, libs: Path, heap: str) -> list[str]:
        return [
            _java(),
            f"-Xmx{heap}",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={LOG4J2_CONFIG}",
            f"-Dkafka.logs.dir={self.data_dir / 'logs'}",
            "-cp",
            f"{libs}{os.sep}*",
        ]

    def _format(self, libs: Path) -> None:
        """Run ``StorageTool format --standalone`` (single-node dynamic quorum)."""
        if self.log_dirs.exists():
            shutil.rmtree(self.log_dirs)  # unformatted leftovers of an interrupted format
        cluster_id = _cluster_id()
        command = [
            *self._java_base(libs, "256m"),
            STORAGE_TOOL_MAIN_CLASS,
            "format",
            "--standalone",
            "--cluster-id",
            cluster_id,
            "--config",
            str(self.properties_file),
        ]
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            check=False,
            cwd=self.data_dir,
            timeout=120,
        )
        if result.returncode != 0 or not self.is_formatted():
            output = (result.stdout + result.stderr).strip().splitlines()
            raise KafkaBrokerError(
                f"kafka storage format failed (exit {result.returncode}):\n" + "\n".join(output[-_LOG_TAIL_LINES:])
            )

    def start(self, timeout: float = 90.0) -> None:
        """Start the broker and return once it is ready (just waits if it runs).

        Fetches the jars if needed (not counted in ``timeout``), writes
        ``server.properties``, formats the storage on first start, launches
        ``java ... kafka.Kafka`` detached (``start_new_session=True``, output to
        ``broker.log``, pid in ``broker.pid``) and calls :meth:`wait_ready`. If the
        broker does not become ready it is stopped and :class:`KafkaBrokerError` is
        raised with the tail of its log.
        """
        if self.is_running():
            self.wait_ready(timeout)
            return
        libs = ensure_jars(self.libs_dir)
        deadline = time.monotonic() + timeout
        self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "logs").mkdir(exist_ok=True)
        for port in (self.port, self.controller_port):
            if not _port_is_bindable(port):
                raise KafkaBrokerError(f"port {_HOST}:{port} is already in use; cannot start {self!r}")
        self._write_ports()
        self.properties_file.write_text(self._server_properties(), encoding="utf-8")
        if not self.is_formatted():
            self._format(libs)
        self.pid_file.unlink(missing_ok=True)
        command = [
            *self._java_base(libs, self.heap),
            KAFKA_MAIN_CLASS,
            str(self.properties_file),
        ]
        log: IO[bytes]
        with self.log_file.open("ab") as log:
            log.write(f"\n===== starting broker {time.strftime('%F %T')} =====\n".encode())
            log.flush()
            self._log_offset = log.tell()
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.data_dir,
                start_new_session=True,
            )
        self.pid_file.write_text(f"{self._process.pid}\n", encoding="utf-8")
        try:
            self.wait_ready(max(deadline - time.monotonic(), 1.0))
        except BaseException:
            self.stop(timeout=10.0)
            raise

    def _probe(self, timeout: float) -> bool:
        """One readiness attempt: True if the metadata lists this unfenced broker."""
        admin_module: Any = importlib.import_module("kafka.admin")
        timeout_ms = max(int(timeout * 1000), 1000)
        admin = admin_module.KafkaAdminClient(
            bootstrap_servers=self.bootstrap_servers,
            client_id="deploy-kafka-readiness",
            request_timeout_ms=timeout_ms,
            bootstrap_timeout_ms=timeout_ms,
        )
        try:
            cluster: dict[str, Any] = admin.describe_cluster()
            brokers: list[dict[str, Any]] = cluster.get("brokers") or []
            listed = any(
                broker.get("broker_id") == NODE_ID and not broker.get("is_fenced", False) for broker in brokers
            )
            if listed:
                admin.list_topics()  # a plain Metadata request must work too
            return listed
        finally:
            admin.close()

    def wait_ready(self, timeout: float) -> None:
        """Block until a kafka-python ``KafkaAdminClient`` sees this broker.

        Retries for at most ``timeout`` seconds. Raises :class:`KafkaBrokerError`
        (with the tail of ``broker.log``) on timeout, or as soon as the broker
        process is found dead.
        """
        try:
            importlib.import_module("kafka.admin")
        except ImportError as exc:
            raise KafkaBrokerError("wait_ready needs kafka-python (pip install kafka-python)") from exc
        deadline = time.monotonic() + timeout
        tracked = self._process is not None or self.pid_file.exists()
        last_error: BaseException | None = None
        while True:
            if tracked and not self.is_running():
                raise KafkaBrokerError(
                    f"Kafka broker in {self.data_dir} exited before becoming ready; "
                    f"tail of {self.log_file}:\n"
                    f"{_tail(self.log_file, self._log_offset)}"
                )
            remaining = deadline - time.monotonic()
            if _port_accepts(self.port):
                try:
                    if self._probe(min(max(remaining, 1.0), 10.0)):
                        return
                except Exception as exc:  # noqa: BLE001 - any client error = "not yet"
                    last_error = exc
            if time.monotonic() >= deadline:
                raise KafkaBrokerError(
                    f"Kafka broker at {self.bootstrap_servers} not ready after "
                    f"{timeout:.0f}s "
                    f"(last error: {last_error!r}); tail of {self.log_file}:\n"
                    f"{_tail(self.log_file, self._log_offset)}"
                )
            time.sleep(0.25)

    def _wait_exit(self, pid: int, timeout: float) -> bool:
        """Wait up to ``timeout`` for ``pid`` to exit (reaping our own child)."""
        if self._process is not None and self._process.pid == pid:
            try:
                self._process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                return False
            return True
        deadline = time.monotonic() + timeout
        while _pid_alive(pid):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)
        return True

    def _signal(self, pid: int, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the broker: SIGTERM (clean shutdown), SIGKILL after ``timeout``.

        Idempotent: does nothing if the broker is not running. Data is kept.
        """
        pid = self._pid()
        if pid is not None:
            self._signal(pid, signal.SIGTERM)
            if not self._wait_exit(pid, timeout):
                self._signal(pid, signal.SIGKILL)
                self._wait_exit(pid, 10.0)
        self._process = None
        self.pid_file.unlink(missing_ok=True)

    def kill(self) -> None:
        """SIGKILL the broker immediately (crash simulation); waits until it is gone."""
        pid = self._pid()
        if pid is not None:
            self._signal(pid, signal.SIGKILL)
            self._wait_exit(pid, 10.0)
        self._process = None
        self.pid_file.unlink(missing_ok=True)


# ------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m deploy.kafka.broker``; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m deploy.kafka.broker",
        description="Run a local single-node KRaft Kafka broker in the background.",
    )
    parser.add_argument("command", choices=("jars", "start", "stop", "status"))
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="default: %(default)s")
    parser.add_argument(
        "--port",
        type=int,
        default=None,
        help="client port (default: persisted or free)",
    )
    parser.add_argument(
        "--controller-port",
        type=int,
        default=None,
        help="controller port (default: persisted or free)",
    )
    parser.add_argument("--heap", default="512m", help="JVM -Xmx (default: %(default)s)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=90.0,
        help="seconds to wait (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    if args.command == "jars":
        print(ensure_jars())
        return 0

    try:
        broker = KafkaBroker(
            args.data_dir,
            port=args.port,
            controller_port=args.controller_port,
            heap=args.heap,
        )
        if args.command == "start":
            broker.start(timeout=args.timeout)
            print(broker.bootstrap_servers)
            return 0
        if args.command == "stop":
            broker.stop(timeout=args.timeout)
            print("stopped")
            return 0
        pid = broker.pid
        if pid is None:
            print("stopped")
            return 1
        print(f"running pid={pid} bootstrap_servers={broker.bootstrap_servers}")
        return 0
    except (KafkaBrokerError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
