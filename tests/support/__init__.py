"""Shared test helpers, imported as ``tests.support.<module>`` (no ``sys.path`` edits anywhere in tests/).

``signing`` runs a real signing server; ``pwa`` and ``push_receiver`` serve the browser and push
tests; ``incoming`` and ``outgoing`` drive the two document lifecycles over HTTP (``outgoing_browser``:
the outgoing browser tests' signing server, drafts and phone page); ``floor`` holds
the benchmark helpers of ``tests/perf``.
"""
