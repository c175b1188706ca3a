"""Infrastructure helpers with no domain knowledge (nothing here imports from ``backend.domain``)."""
