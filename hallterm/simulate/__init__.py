"""``hallterm simulate``: a hall driven by virtual desks, each in its own process, through the real use
cases (issue 17 point 4) — for training and the demo at a person's pace, for load at ``--speed max``.

``plan`` holds what a hall's day looks like (arrivals by the hour, how long each step takes at the
counter); ``desk`` is one virtual desk; ``tally`` counts and times what the desks did; ``runner``
starts the desks and adds up their figures."""
