"""Delivery mechanisms that are not domain: the app shell, live updates, offline support, push transport."""
