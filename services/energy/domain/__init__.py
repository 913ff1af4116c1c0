"""Energy loan rules as plain Python: no database, web or Kafka imports."""
