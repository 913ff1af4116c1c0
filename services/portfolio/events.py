"""What the portfolio consumes: its consumer group, the topics it reads and the contracts it applies."""

from __future__ import annotations

from shared.contracts.sifo import FinancierRecognisedV1
from shared.contracts.topics import SIFO_EVENTS
from shared.eventbus.registry import type_of

CONSUMER_GROUP = "portfolio"
CONSUMED_TOPICS = (SIFO_EVENTS,)
FINANCIER_RECOGNISED = type_of(FinancierRecognisedV1)
