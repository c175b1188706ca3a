"""Environmental faults: Redis down, PostgreSQL restarted, blob store disk full, clock skew."""
