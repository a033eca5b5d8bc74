"""Slips and notices: layout, rendering and printer back-ends (a later issue)."""
