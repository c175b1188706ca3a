"""Live updates for open pages: a per-user "counts-changed" signal over SSE, or polling.

With ``REDIS_URL`` set, the web processes subscribe to Redis pub/sub and the worker publishes to
it, so an SSE stream learns within milliseconds that the worker created a notification. Without
Redis (the embedded default) the worker is another process and an in-memory channel cannot reach
it; pages then poll the counts every 30 seconds instead, and no SSE stream is opened.
"""
