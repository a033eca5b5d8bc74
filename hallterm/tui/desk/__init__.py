"""The front-desk app."""
