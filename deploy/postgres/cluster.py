"""Run a throwaway PostgreSQL cluster from the installed binaries (no Docker).

The binaries come from ``$PG_BINDIR``, ``pg_config --bindir`` or the newest
``/usr/lib/postgresql/<version>/bin`` (Debian's ``postgresql`` package). Layout of a
cluster ``data_dir``::

    port          chosen port, reused when the same data_dir is started again
    pgdata/       the PostgreSQL data directory (initdb'd once)
    postgres.log  server log (pg_ctl -l)

The server listens on 127.0.0.1 only, with ``trust`` authentication for the
``postgres`` superuser and ``max_connections=200``. A cluster is durable by default:
``fsync``, ``synchronous_commit`` and ``full_page_writes`` keep PostgreSQL's safe defaults,
so a committed repayment survives a machine crash (this is what ``make run`` uses). Tests ask
for ``durable=False``, which turns the three off for speed; their data is thrown away.

PostgreSQL refuses to run as root. When this module runs as root, ``initdb`` and
``pg_ctl`` run through ``runuser -u postgres --``, ``data_dir`` is chowned to the
``postgres`` system user and every ancestor directory of ``data_dir`` that the
``postgres`` user could not traverse gets the ``o+x`` bit (traverse only, no listing).

Command line::

    python -m deploy.postgres.cluster start|stop|status [--data-dir var/postgres]
                                      [--port 5432]
"""

from __future__ import annotations

import argparse
import contextlib
import grp
import hashlib
import json
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from pathlib import Path

__all__ = [
    "DEFAULT_DATA_DIR",
    "PostgresCluster",
    "PostgresClusterError",
    "find_bindir",
    "main",
    "throwaway_cluster",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = REPO_ROOT / "var" / "postgres"

_HOST = "127.0.0.1"
_SUPERUSER = "postgres"
_SYSTEM_USER = "postgres"
_LOG_TAIL_LINES = 40
# pg_ctl start failures worth retrying shortly after a crash (kill -9) of the server.
_TRANSIENT_START_ERRORS = (
    "lock file",
    "pre-existing shared memory block",
    "Address already in use",
)
# sun_path is 108 bytes; leave room for "/.s.PGSQL.65535.lock".
_MAX_SOCKET_DIR_LEN = 80


THROWAWAY_SETTINGS = ("-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off")
"""What a test cluster turns off for speed; never used by ``make run``."""


class PostgresClusterError(RuntimeError):
    """Raised when the cluster cannot be initialised, started or queried."""


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.name)) or (0,)


def find_bindir() -> Path:
    """Locate the PostgreSQL server binaries (the directory holding ``initdb``).

    Order: ``$PG_BINDIR``; ``pg_config --bindir``; the newest
    ``/usr/lib/postgresql/*/bin``; ``initdb`` on ``PATH``.
    """
    candidates: list[Path] = []
    env_dir = os.environ.get("PG_BINDIR")
    if env_dir:
        candidates.append(Path(env_dir))
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if result.returncode == 0 and result.stdout.strip():
            candidates.append(Path(result.stdout.strip()))
    candidates.extend(sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True))
    initdb = shutil.which("initdb")
    if initdb is not None:
        candidates.append(Path(initdb).parent)
    for candidate in candidates:
        if (candidate / "initdb").is_file() and (candidate / "pg_ctl").is_file():
            return candidate
    raise PostgresClusterError(
        "PostgreSQL server binaries (initdb, pg_ctl) not found; install the Debian "
        "'postgresql' package or set PG_BINDIR"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((_HOST, 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, lines: int = _LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return f"(no log at {path})"
    tail = text.rstrip().splitlines()[-lines:]
    return "\n".join(tail) if tail else "(log is empty)"


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class PostgresCluster:
    """A PostgreSQL cluster kept in ``data_dir`` and listening on ``127.0.0.1:<port>``.

    ``port=None`` picks a free port on first use; it is persisted in
    ``<data_dir>/port`` when the cluster starts, so restarting the same ``data_dir``
    reuses it. The server runs detached until :meth:`stop` (or
    ``python -m deploy.postgres.cluster stop``).
    """

    def __init__(self, data_dir: Path, port: int | None = None, *, durable: bool = True) -> None:
        """Describe a cluster; nothing is created until :meth:`start`.

        Args:
            data_dir: container directory (``pgdata/``, ``port``, ``postgres.log``).
            port: TCP port; ``None`` = the persisted port, else a free one.
            durable: keep the safe durability defaults (False only for throwaway test data).
        """
        self.durable = durable
        self.data_dir = Path(data_dir).resolve()
        saved = self._read_port()
        self.port: int = port if port is not None else saved or _free_port()
        self._as_root = os.geteuid() == 0

    # -- paths ----------------------------------------------------------------------

    @property
    def pgdata(self) -> Path:
        """The PostgreSQL data directory, ``<data_dir>/pgdata``."""
        return self.data_dir / "pgdata"

    @property
    def log_file(self) -> Path:
        """Server log, ``<data_dir>/postgres.log``."""
        return self.data_dir / "postgres.log"

    @property
    def port_file(self) -> Path:
        """``<data_dir>/port``."""
        return self.data_dir / "port"

    @property
    def socket_dir(self) -> Path:
        """Unix socket directory: ``data_dir`` itself, or a /tmp dir if too long."""
        if len(str(self.data_dir)) <= _MAX_SOCKET_DIR_LEN:
            return self.data_dir
        digest = hashlib.sha256(str(self.data_dir).encode()).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / f"pgsock-{digest}"

    def __repr__(self) -> str:
        return f"PostgresCluster(data_dir={str(self.data_dir)!r}, port={self.port})"

    # -- helpers --------------------------------------------------------------------

    def _read_port(self) -> int | None:
        try:
            raw = json.loads(self.port_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return int(raw["port"]) if isinstance(raw, dict) and "port" in raw else None

    def _system_user(self) -> pwd.struct_passwd:
        try:
            return pwd.getpwnam(_SYSTEM_USER)
        except KeyError:
            raise PostgresClusterError(
                "running as root, PostgreSQL must run as the 'postgres' system user, "
                "which does not exist: install the Debian 'postgresql' package "
                "(apt-get install postgresql)"
            ) from None

    def _server_command(self, argv: list[str]) -> list[str]:
        """Wrap a server-side command with ``runuser -u postgres --`` when root."""
        if not self._as_root:
            return argv
        runuser = shutil.which("runuser") or next(
            (p for p in ("/usr/sbin/runuser", "/sbin/runuser") if Path(p).is_file()),
            None,
        )
        if runuser is None:
            raise PostgresClusterError("running as root but 'runuser' was not found")
        return [runuser, "-u", _SYSTEM_USER, "--", *argv]

    def _run(self, argv: list[str], *, server: bool, timeout: float | None = None) -> subprocess.CompletedProcess[str]:
        command = self._server_command(argv) if server else argv
        return subprocess.run(
            command,
            capture_output=True,
            text=True,
            check=False,
            cwd=self.data_dir if self.data_dir.is_dir() else None,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )

    def _prepare_dirs(self) -> None:
        """Create ``data_dir`` (and the socket dir) usable by the server's user."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        socket_dir = self.socket_dir
        socket_dir.mkdir(parents=True, exist_ok=True)
        if not self._as_root:
            return
        user = self._system_user()
        groups = {user.pw_gid} | {g.gr_gid for g in _all_groups() if user.pw_name in g.gr_mem}
        for directory in {self.data_dir, socket_dir}:
            os.chown(directory, user.pw_uid, user.pw_gid)
            for ancestor in directory.parents:
                _make_traversable(ancestor, user.pw_uid, groups)
        for owned in (self.log_file, self.port_file):
            if owned.exists():
                os.chown(owned, user.pw_uid, user.pw_gid)

    def _postmaster_pid(self) -> int | None:
        try:
            first = (self.pgdata / "postmaster.pid").read_text(encoding="utf-8").split()
            return int(first[0]) if first else None
        except (OSError, ValueError):
            return None

    def _wait_for_dead_postmaster(self, deadline: float) -> None:
        """Wait while a killed postmaster is still a zombie or its children linger.

        After a SIGKILL the postmaster stays a zombie until its parent (often PID 1)
        reaps it, and a new postmaster refuses to start while that pid "exists".
        """
        pid = self._postmaster_pid()
        while pid is not None and _pid_state(pid) == "Z" and time.monotonic() < deadline:
            time.sleep(0.1)

    def _pg_ctl_status(self) -> bool:
        if not (self.pgdata / "PG_VERSION").is_file():
            return False
        pid = self._postmaster_pid()
        if pid is not None and _pid_state(pid) in ("Z", "X"):
            return False  # killed, not yet reaped
        result = self._run(
            [str(find_bindir() / "pg_ctl"), "status", "-D", str(self.pgdata)],
            server=True,
        )
        return result.returncode == 0

    def _psql(self, sql: str, database: str = "postgres") -> str:
        bindir = find_bindir()
        psql = bindir / "psql"
        psql_path = str(psql) if psql.is_file() else shutil.which("psql")
        if psql_path is None:
            raise PostgresClusterError("'psql' not found")
        result = self._run(
            [
                psql_path,
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                _HOST,
                "-p",
                str(self.port),
                "-U",
                _SUPERUSER,
                "-d",
                database,
                "-c",
                sql,
            ],
            server=False,
            timeout=60,
        )
        if result.returncode != 0:
            raise PostgresClusterError(f"psql failed ({sql!r}): {(result.stderr or result.stdout).strip()}")
        return result.stdout

    # -- public API -----------------------------------------------------------------

    def is_running(self) -> bool:
        """Tell whether the server for this ``data_dir`` is running (``pg_ctl status``)."""
        return self._pg_ctl_status()

    def start(self, timeout: float = 60.0) -> None:
        """Initialise the cluster once, then start it and wait until it accepts connections.

        ``initdb -A trust -U postgres -E UTF8 --locale=C.UTF-8`` runs only when ``pgdata``
        holds no cluster yet; ``pg_ctl start -w`` then runs with ``listen_addresses=127.0.0.1``
        and ``max_connections=200`` (and, when not durable, without fsync; see the module).
        A no-op if the server already runs.
        """
        bindir = find_bindir()
        if self._as_root:
            self._system_user()
        self._prepare_dirs()
        if self._pg_ctl_status():
            return
        self.port_file.write_text(json.dumps({"port": self.port}) + "\n", encoding="utf-8")
        if not (self.pgdata / "PG_VERSION").is_file():
            if self.pgdata.exists():
                shutil.rmtree(self.pgdata)  # leftovers of an interrupted initdb
            result = self._run(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(self.pgdata),
                    "-A",
                    "trust",
                    "-U",
                    _SUPERUSER,
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                    *([] if self.durable else ["--no-sync"]),
                ],
                server=True,
                timeout=max(timeout, 60.0),
            )
            if result.returncode != 0:
                raise PostgresClusterError(
                    f"initdb failed (exit {result.returncode}):\n{(result.stdout + result.stderr).strip()}"
                )
        options = " ".join(
            [
                f"-p {self.port}",
                f"-k {shlex.quote(str(self.socket_dir))}",
                "-c listen_addresses=127.0.0.1",
                *([] if self.durable else THROWAWAY_SETTINGS),
                "-c max_connections=200",
            ]
        )
        deadline = time.monotonic() + timeout
        while True:
            self._wait_for_dead_postmaster(deadline)
            remaining = max(deadline - time.monotonic(), 1.0)
            result = self._run(
                [
                    str(bindir / "pg_ctl"),
                    "start",
                    "-D",
                    str(self.pgdata),
                    "-l",
                    str(self.log_file),
                    "-w",
                    "-t",
                    str(max(int(remaining), 1)),
                    "-o",
                    options,
                ],
                server=True,
                timeout=remaining + 30,
            )
            if result.returncode == 0:
                return
            log_tail = _tail(self.log_file)
            transient = any(marker in log_tail for marker in _TRANSIENT_START_ERRORS)
            if not transient or time.monotonic() >= deadline:
                raise PostgresClusterError(
                    f"pg_ctl start failed (exit {result.returncode}): "
                    f"{(result.stdout + result.stderr).strip()}\n"
                    f"tail of {self.log_file}:\n{log_tail}"
                )
            time.sleep(0.5)  # leftovers of a killed server still going away

    def stop(self) -> None:
        """Stop the server with ``pg_ctl -m fast stop``; does nothing if it is not running."""
        if not self._pg_ctl_status():
            return
        result = self._run(
            [
                str(find_bindir() / "pg_ctl"),
                "stop",
                "-D",
                str(self.pgdata),
                "-m",
                "fast",
                "-w",
            ],
            server=True,
            timeout=90,
        )
        if result.returncode != 0 and self._pg_ctl_status():
            raise PostgresClusterError(f"pg_ctl stop failed: {(result.stdout + result.stderr).strip()}")

    def kill(self) -> None:
        """SIGKILL the postmaster and every server process (a crash, not a shutdown).

        No checkpoint is written and nothing is flushed; the next :meth:`start` runs crash
        recovery from the write-ahead log, which is what a lost machine would need.
        """
        pid = self._postmaster_pid()
        if pid is None or _pid_state(pid) in (None, "Z", "X"):
            return
        for victim in (pid, *_children_of(pid)):
            with contextlib.suppress(ProcessLookupError):
                os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while _pid_state(pid) not in (None, "Z", "X") and time.monotonic() < deadline:
            time.sleep(0.05)

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL (psycopg 3 driver) of ``database`` on this cluster."""
        quoted = urllib.parse.quote(database, safe="")
        return f"postgresql+psycopg://{_SUPERUSER}@{_HOST}:{self.port}/{quoted}"

    def create_database(self, name: str) -> str:
        """Create database ``name`` if it does not exist yet; return its :meth:`url`."""
        query = f"SELECT 1 FROM pg_database WHERE datname = {_quote_literal(name)}"  # noqa: S608 - quoted
        exists = self._psql(query).strip()
        if not exists:
            self._psql(f"CREATE DATABASE {_quote_ident(name)}")
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop database ``name`` if it exists, terminating its open connections."""
        self._psql(f"DROP DATABASE IF EXISTS {_quote_ident(name)} WITH (FORCE)")


def _all_groups() -> list[grp.struct_group]:
    return grp.getgrall()


def _pid_state(pid: int) -> str | None:
    """Return the /proc state letter of ``pid`` (``"Z"`` = zombie), ``None`` if gone."""
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    fields = stat_line.rsplit(")", 1)[-1].split()
    return fields[0] if fields else None


def _children_of(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (the postmaster's backends and workers)."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat_line = (entry / "stat").read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        fields = stat_line.rsplit(")", 1)[-1].split()
        if len(fields) > 1 and fields[1] == str(pid):
            children.append(int(entry.name))
    return children


def _make_traversable(directory: Path, uid: int, gids: set[int]) -> None:
    """Add ``o+x`` to ``directory`` if ``uid`` (with ``gids``) cannot traverse it."""
    st = directory.stat()
    if st.st_uid == uid:
        allowed = bool(st.st_mode & stat.S_IXUSR)
    elif st.st_gid in gids:
        allowed = bool(st.st_mode & stat.S_IXGRP)
    else:
        allowed = bool(st.st_mode & stat.S_IXOTH)
    if not allowed:
        os.chmod(directory, stat.S_IMODE(st.st_mode) | stat.S_IXOTH)


@contextlib.contextmanager
def throwaway_cluster(prefix: str, *, durable: bool = False) -> Iterator[PostgresCluster]:
    """A started server in a new directory under the system's temporary root; stopped and removed afterwards.

    Not under pytest's own temporary root: another pytest run on the machine makes that root
    private again, and the server (the ``postgres`` user when run as root) would lose its path.
    """
    home = Path(tempfile.mkdtemp(prefix=prefix))
    cluster = PostgresCluster(home / "data", durable=durable)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(home, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m deploy.postgres.cluster``; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m deploy.postgres.cluster",
        description="Run a local PostgreSQL cluster in the background.",
    )
    parser.add_argument("command", choices=("start", "stop", "status"))
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="default: %(default)s")
    parser.add_argument("--port", type=int, default=None, help="TCP port (default: persisted or free)")
    parser.add_argument("--timeout", type=float, default=60.0, help="start timeout (default: %(default)s)")
    parser.add_argument("--throwaway", action="store_true", help="fsync and friends off: for test data only")
    args = parser.parse_args(argv)
    try:
        cluster = PostgresCluster(args.data_dir, port=args.port, durable=not args.throwaway)
        if args.command == "start":
            cluster.start(timeout=args.timeout)
            print(cluster.url())
            return 0
        if args.command == "stop":
            cluster.stop()
            print("stopped")
            return 0
        if cluster.is_running():
            print(f"running url={cluster.url()}")
            return 0
        print("stopped")
        return 1
    except PostgresClusterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
