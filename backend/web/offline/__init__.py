"""Offline use: the service worker and manifest routes, what the worker may cache, and replayed actions.

The service worker (``sw/service-worker.js``) decides nothing about privacy on its own: the
server marks each response it may keep (``CV-Offline: page|document|asset``) and names the
per-user cache (``CV-User``, an HMAC of the user id, never the username). Actions queued offline
are replayed with an ``Idempotency-Key`` and applied exactly once (see ``idempotency``).
"""
