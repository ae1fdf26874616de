"""Errors, safe file I/O, YAML with line numbers, all-or-nothing journals, cache files, near misses.

The ground floor: every other package stands on it, and it imports nothing else from grondmotief."""
