"""The study model: settings, codebook, transcripts and their front matter, decisions, example passages.

The folder that holds them: loading, check, refactoring, init, the quick-start cache; stands on core, nlp, privacy."""
