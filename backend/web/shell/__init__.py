"""The phone shell: home and the four sections of the bottom navigation."""
