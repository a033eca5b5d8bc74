"""Use cases. Each public call is one transaction and appends its events."""
