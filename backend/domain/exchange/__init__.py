"""Inter-agency exchange: delivery of issued documents to recipients behind the ``Delivery`` Protocol."""
