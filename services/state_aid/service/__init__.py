"""Register use cases: one transaction each, events staged in the same transaction."""
