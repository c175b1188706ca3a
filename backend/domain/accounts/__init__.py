"""Accounts: login, sessions, the current actor, password changes and lockout."""
