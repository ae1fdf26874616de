"""Report chapters: the template context, sandboxed rendering and its budget, quote selection, figures.

Turns analysis results into Markdown and SVG; stands on analysis, the study model and privacy."""
