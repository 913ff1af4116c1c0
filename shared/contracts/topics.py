"""Logical topic names, one per producing service. Settings may prefix them (tests)."""

from __future__ import annotations

SIFO_EVENTS = "sifo.events"
ENERGY_EVENTS = "energy.events"
TRIVIDEND_EVENTS = "trividend.events"
PORTFOLIO_EVENTS = "portfolio.events"
STATE_AID_EVENTS = "state_aid.events"

ALL_TOPICS = (SIFO_EVENTS, ENERGY_EVENTS, TRIVIDEND_EVENTS, PORTFOLIO_EVENTS, STATE_AID_EVENTS)
