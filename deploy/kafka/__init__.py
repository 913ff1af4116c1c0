"""A real Apache Kafka broker (KRaft, single node) launched without Docker.

See :mod:`deploy.kafka.broker` (``KafkaBroker``, ``ensure_jars``). Nothing is
imported here so that ``python -m deploy.kafka.broker`` runs without a
double-import warning.
"""
