"""Code every service shares: finance engine, event bus and platform kit."""
