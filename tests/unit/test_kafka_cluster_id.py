"""The KRaft cluster id the local broker is formatted with never looks like a command-line option."""

import base64

from deploy.kafka import broker


def test_cluster_ids_never_start_with_a_dash_and_decode_to_16_bytes() -> None:
    for _ in range(5_000):
        cluster_id = broker._cluster_id()
        assert not cluster_id.startswith("-")
        assert len(base64.urlsafe_b64decode(cluster_id + "==")) == 16
