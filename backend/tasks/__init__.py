"""Background-work infrastructure: the typed job bus, the transactional outbox and the worker loop.

No job kind lives here: each context declares and handles its own, and :mod:`backend.worker_app`
wires them together.
"""
