"""Personal data: the detector (contact details, identifiers, names), front matter, the scan cache, safe Markdown.

Findings name a kind and a place, never the text; stands on core and nlp."""
