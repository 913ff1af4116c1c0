"""Local launchers for the infrastructure the project needs in development and tests.

* :mod:`deploy.kafka.broker` -- a single-node KRaft Kafka broker from Maven jars.
* :mod:`deploy.postgres.cluster` -- a throwaway PostgreSQL cluster from the
  installed binaries.
"""
