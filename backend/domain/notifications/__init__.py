"""In-app notifications: the list behind the bell and its unread count."""
