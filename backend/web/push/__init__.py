"""Web Push transport: the signed HTTP delivery to push services and the ``push.send`` job handler."""
