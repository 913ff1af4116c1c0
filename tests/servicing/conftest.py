"""The servicing suite's backends: the fake always; PostgreSQL through SIFO's and energy's adapters."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.servicing.backends import Backend, EnergyBackend, FakeBackend, SifoBackend
from tests.state_aid_register import StateAid


@pytest.fixture(
    params=[
        pytest.param("fake", id="fake"),
        pytest.param("sifo", id="sifo-postgres", marks=pytest.mark.integration),
        pytest.param("energy", id="energy-postgres", marks=pytest.mark.integration),
    ]
)
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    if request.param == "fake":
        yield FakeBackend()
        return
    migrated_database: Callable[[str], str] = request.getfixturevalue("migrated_database")
    register: StateAid = request.getfixturevalue("state_aid")
    sql = (
        SifoBackend(migrated_database("sifo"), register)
        if request.param == "sifo"
        else EnergyBackend(migrated_database("energy"), register)
    )
    try:
        yield sql
    finally:
        sql.close()
