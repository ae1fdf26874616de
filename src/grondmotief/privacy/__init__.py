"""Personal data in text: the detector (contact details, identifiers, person names), its cache, safe Markdown.

Findings name a kind and a place, never the text; stands on core and nlp (word frequencies)."""
