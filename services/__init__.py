"""One package per financing instrument plus the portfolio; they meet only through Kafka and HTTP."""
