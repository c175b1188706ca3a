"""Persistence: declarative base, models, engine/session factory and Alembic migrations."""
