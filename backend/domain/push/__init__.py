"""Web Push to phones (VAPID, RFC 8030/8291/8292): keys, subscriptions, quiet hours, the push job kind.

Every user-facing notification is created by the ``notification.create`` outbox job; that job
also enqueues one ``push.send`` job per notification for users with at least one subscribed
device, in the same transaction (:mod:`.jobs`). The worker delivers it with pywebpush through the
transport in :mod:`backend.web.push`.
"""
