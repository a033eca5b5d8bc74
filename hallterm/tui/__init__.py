"""Textual apps: the desk and, later, the queue display."""
