"""`make run`'s embedded PostgreSQL keeps the durability settings that protect committed money."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import psycopg
import pytest

from deploy.stack import local_cluster

pytestmark = pytest.mark.integration


def test_the_stack_starts_postgresql_with_its_safe_durability_defaults() -> None:
    # Not under pytest's temporary root, which is private to root (see tests/conftest.py).
    home = Path(tempfile.mkdtemp(prefix="sef-durable-"))
    cluster = local_cluster(home, port=None)
    cluster.start()
    try:
        with psycopg.connect(cluster.url().replace("postgresql+psycopg", "postgresql")) as connection:
            settings = {}
            for name in ("fsync", "synchronous_commit", "full_page_writes", "wal_level"):
                row = connection.execute(f"SHOW {name}").fetchone()
                assert row is not None
                settings[name] = row[0]
    finally:
        cluster.stop()
        shutil.rmtree(home, ignore_errors=True)
    assert settings == {**settings, "fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}
    assert settings["wal_level"] != "minimal"
