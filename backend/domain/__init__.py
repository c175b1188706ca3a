"""Bounded contexts of CongVan, one package each (accounts, organizations, audit, …).

Importing the package installs the search index's commit hook (:mod:`backend.domain.search.sync`), so every
process that changes documents through a context keeps the index current.
"""

from backend.domain.search.sync import install as _install_search_sync

_install_search_sync()
