"""Counting over accepted decisions: tallies, cross-tabs, the code tree, agreement, reconciliation, saturation.

Pure results for the CLI and the report; stands on the study model (and on suggest, for the machine coder)."""
