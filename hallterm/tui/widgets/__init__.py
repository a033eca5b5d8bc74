"""Widgets shared by the desk and the display."""
