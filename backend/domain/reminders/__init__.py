"""Reminders: deadlines coming and passed, the clerk's clocks, and the leaders' morning digest."""
