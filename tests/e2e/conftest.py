"""Fixtures of the end-to-end tests: two migrated service databases and their process environments."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from deploy.in_process import free_port

from tests.e2e.processes import migrate, service_environment


@dataclass
class Stack:
    sifo_env: dict[str, str]
    portfolio_env: dict[str, str]
    sifo_url: str
    portfolio_url: str
    sifo_database: str
    portfolio_database: str
    logs: Path


def make_stack(make_database: Callable[[str], str], kafka: str, topic_prefix: str, logs: Path) -> Stack:
    sifo_database, portfolio_database = make_database("e2e_sifo"), make_database("e2e_portfolio")
    sifo_port, portfolio_port = free_port(), free_port()
    stack = Stack(
        sifo_env=service_environment("SIFO", sifo_database, kafka, topic_prefix, sifo_port),
        portfolio_env=service_environment("PORTFOLIO", portfolio_database, kafka, topic_prefix, portfolio_port),
        sifo_url=f"http://127.0.0.1:{sifo_port}",
        portfolio_url=f"http://127.0.0.1:{portfolio_port}",
        sifo_database=sifo_database,
        portfolio_database=portfolio_database,
        logs=logs,
    )
    migrate("services.sifo", stack.sifo_env)
    migrate("services.portfolio", stack.portfolio_env)
    return stack


@pytest.fixture
def stack_factory(make_database: Callable[[str], str], topic_prefix: str, tmp_path: Path) -> Callable[[str], Stack]:
    return lambda kafka: make_stack(make_database, kafka, topic_prefix, tmp_path)
