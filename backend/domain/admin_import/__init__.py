"""CSV import of agencies, units and users: pure parsing and planning, and a thin service over each
context's own create use case (see :mod:`.service`)."""
