"""CongVan backend: the web application, its domain logic and the outbox worker."""

__all__ = ["__version__"]

__version__ = "0.1.0"
