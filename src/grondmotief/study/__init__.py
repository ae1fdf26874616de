"""The study model: settings, codebook, transcripts, decisions, example passages, and the folder that holds them.

Loading, validating (check), changing (refactor, init) and the quick-start cache; stands on core, nlp and privacy."""
