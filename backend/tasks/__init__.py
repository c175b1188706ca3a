"""Background work: the transactional outbox, its worker and the job handlers."""
