"""``hallterm display``: the read-only queue display for a second terminal or the hall's TV (issue 5)."""
