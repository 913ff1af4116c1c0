"""Event bus: CloudEvents envelope, transactional outbox + relay, idempotent consumer, topics."""
