"""grondmotief: reproducible qualitative coding of Dutch interview transcripts."""

__version__ = "0.1.0"
