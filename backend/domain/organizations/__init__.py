"""Organisations: agencies and their units — scoping of the admin area, and their administration."""
