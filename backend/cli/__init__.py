"""Command-line entry points: serve, worker, migrate, seed, audit verification, imports."""
