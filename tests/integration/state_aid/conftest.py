"""SIFO and energy side by side on one state-aid register (their fixtures, shared here)."""

from tests.integration.energy.conftest import energy
from tests.integration.sifo.conftest import sifo

__all__ = ["energy", "sifo"]
