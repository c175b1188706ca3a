"""Organisations: agencies, their units and the people in them, with administration and CSV import."""
