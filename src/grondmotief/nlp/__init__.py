"""Dutch language: the spaCy pipeline, lemmas, compounds, curated word lists and word frequencies.

Built from PyPI data only; stands on core, and nothing here knows about studies or codes."""
