"""Portfolio: consumes every instrument's events into a consolidated book, aid register and exports."""
