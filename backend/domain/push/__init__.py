"""Web Push to phones (VAPID, RFC 8030/8291/8292): keys, subscriptions, quiet hours, delivery.

Every user-facing notification is created by the ``notification.create`` outbox job; that job
also enqueues one ``push.send`` job per notification for users with at least one subscribed
device, in the same transaction. The worker delivers it with pywebpush.
"""
