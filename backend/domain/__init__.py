"""Bounded contexts of CongVan, one package each (accounts, organizations, audit, …)."""
