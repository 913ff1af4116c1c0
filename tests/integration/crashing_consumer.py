"""A portfolio consumer that dies right after its database commit, before committing offsets.

Run as ``python -m tests.integration.crashing_consumer DB_URL BOOTSTRAP GROUP TOPIC``; it exits
with status 3 from inside `commit_offsets`, as a process killed at that moment would.
"""

from __future__ import annotations

import os
import sys
import threading

from kafka import KafkaConsumer
from kafka.structs import OffsetAndMetadata, TopicPartition

from shared.eventbus.consumer import EventConsumer
from shared.platform.database import make_engine

from services.portfolio.app import CONSUMER

CRASH_STATUS = 3


class DiesBeforeOffsetCommit(EventConsumer):
    def commit_offsets(self, consumer: KafkaConsumer, offsets: dict[TopicPartition, OffsetAndMetadata]) -> None:
        sys.stdout.write(f"applied={self.applied}\n")
        sys.stdout.flush()
        os._exit(CRASH_STATUS)


def main() -> None:
    database_url, bootstrap, group, topic = sys.argv[1:5]
    consumer = DiesBeforeOffsetCommit(
        engine=make_engine(database_url),
        bootstrap_servers=bootstrap,
        group_id=group,
        topics=[topic],
        handlers=CONSUMER.handlers,
    )
    consumer.run(threading.Event())


if __name__ == "__main__":
    main()
