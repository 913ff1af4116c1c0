"""Consumer lag as Prometheus gauges, read from the broker when Prometheus scrapes the API.

The lag of a consumer group on a partition is the partition's end offset minus the offset the
group committed (or minus the partition's first offset while the group has committed nothing:
the consumer starts from the earliest record). It is read from the broker rather than reported
by the consumer process, so a consumer that died or hangs shows a growing lag, not a stale one.
The API of every consuming service exposes it beside its outbox backlog.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from kafka import KafkaAdminClient
from kafka.admin import OffsetSpec
from kafka.errors import KafkaError
from kafka.structs import TopicPartition
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import Engine

COORDINATOR_ATTEMPTS = 5


class ConsumerLag:
    """A state probe for `/metrics`: `consumer_lag{group,topic,partition}` of one consumer group.

    One admin client is kept between scrapes (its connection and metadata are the expensive
    part) and replaced after any failure; the collector reports the failure, not a made-up zero.
    """

    def __init__(self, bootstrap_servers: str, group_id: str, topics: Sequence[str], timeout_ms: int = 3_000) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.group_id = group_id
        self.topics = list(topics)
        self.timeout_ms = timeout_ms
        self._admin: Any = None
        self._lock = threading.Lock()
        self.__name__ = "consumer_lag"

    def __call__(self, _engine: Engine) -> Iterator[Metric]:
        with self._lock:
            try:
                lags = self.read()
            except Exception:
                self.close()
                raise
        gauge = GaugeMetricFamily(
            "consumer_lag", "Records on the topic not yet applied by the group", labels=["group", "topic", "partition"]
        )
        for partition, lag in sorted(lags.items()):
            gauge.add_metric([self.group_id, partition.topic, str(partition.partition)], lag)
        yield gauge

    def read(self) -> dict[TopicPartition, int]:
        """Records per partition of the consumed topics that the group has not committed yet."""
        admin = self._client()
        partitions = [
            TopicPartition(topic["name"], partition["partition_index"])
            for topic in admin.describe_topics(self.topics)
            if topic.get("error_code", 0) == 0
            for partition in topic["partitions"]
        ]
        if not partitions:
            return {}
        latest = admin.list_partition_offsets(dict.fromkeys(partitions, OffsetSpec.LATEST))
        earliest = admin.list_partition_offsets(dict.fromkeys(partitions, OffsetSpec.EARLIEST))
        committed = self._committed(admin, partitions)
        lags: dict[TopicPartition, int] = {}
        for partition in partitions:
            done = committed.get(partition)
            start = done.offset if done is not None and done.offset >= 0 else earliest[partition].offset
            lags[partition] = max(int(latest[partition].offset) - int(start), 0)
        return lags

    def _committed(self, admin: Any, partitions: list[TopicPartition]) -> dict[TopicPartition, Any]:
        """The group's committed offsets; a coordinator still being elected is asked again shortly."""
        attempt = 0
        while True:
            try:
                offsets: dict[TopicPartition, Any] = admin.list_group_offsets({self.group_id: partitions}).get(
                    self.group_id, {}
                )
                return offsets
            except KafkaError as exc:
                attempt += 1
                if not exc.retriable or attempt >= COORDINATOR_ATTEMPTS:
                    raise
                time.sleep(0.2 * attempt)

    def _client(self) -> Any:
        if self._admin is None:
            self._admin = KafkaAdminClient(
                bootstrap_servers=self.bootstrap_servers,
                request_timeout_ms=self.timeout_ms,
                bootstrap_timeout_ms=self.timeout_ms,
                client_id=f"{self.group_id}-lag-probe",
            )
        return self._admin

    def close(self) -> None:
        admin, self._admin = self._admin, None
        if admin is not None:
            with contextlib.suppress(Exception):
                admin.close()
