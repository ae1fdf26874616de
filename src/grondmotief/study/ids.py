"""Shapes of ids and values in study files, shared by the readers and their pydantic models."""

from __future__ import annotations

import re

TRANSCRIPT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
SEGMENT_REF = re.compile(r"^(?P<tid>[A-Za-z0-9][A-Za-z0-9_-]{0,63})[¶#](?P<n>[1-9][0-9]{0,6})$")
# A front-matter attribute value.
Scalar = str | int | float | bool | None
