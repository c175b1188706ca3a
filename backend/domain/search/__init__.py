"""Search: one index (``search_entry``) over incoming and outgoing documents and drafts, behind one interface
with two engines (SQLite FTS5, PostgreSQL full-text); see ``docs/search.md``."""
