"""Sentence boundaries in a passage, for narrowing a quote to a sentence range.

A regex is enough here (and starts instantly, unlike spaCy): a sentence ends at . ! ? or …
followed by space and a capital, a digit or an opening quote. Dutch abbreviations and
hesitations ("eh... ja") do not end a sentence.
"""

from __future__ import annotations

import re

_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-ZÀ-Ý0-9])")
_ABBREVIATIONS = {
    "bijv",
    "bv",
    "o.a",
    "d.w.z",
    "m.a.w",
    "i.p.v",
    "t.o.v",
    "z.g.a.n",
    "e.d",
    "enz",
    "etc",
    "ca",
    "dhr",
    "mevr",
    "mw",
    "nr",
    "jl",
    "a.s",
    "evt",
    "incl",
    "excl",
    "resp",
    "vs",
    "drs",
    "dr",
    "mr",
    "ir",
    "prof",
}


def sentences(text: str) -> list[tuple[int, int]]:
    """[start, end) of each sentence, end excluding trailing space; together they cover the text."""
    spans: list[tuple[int, int]] = []
    start = _skip_space(text, 0)
    for m in _END.finditer(text):
        if m.end() <= start:
            continue
        if m.group().startswith(".") and _abbreviation_before(text, m.start()):
            continue
        spans.append((start, m.end()))
        start = _skip_space(text, m.end())
    if start < len(text.rstrip()):
        spans.append((start, len(text.rstrip())))
    return spans


def sentence_span(text: str, first: int, last: int) -> tuple[int, int]:
    """Span covering sentences first..last (1-based, inclusive), clamped to the passage."""
    spans = sentences(text)
    if not spans:
        return (0, len(text))
    first = max(1, min(first, len(spans)))
    last = max(first, min(last, len(spans)))
    return (spans[first - 1][0], spans[last - 1][1])


def sentence_range(text: str, span: tuple[int, int] | None) -> tuple[int, int] | None:
    """The 1-based sentence numbers a span covers (None when the span is the whole passage)."""
    if span is None:
        return None
    spans = sentences(text)
    hit = [i for i, (s, e) in enumerate(spans, start=1) if s < span[1] and e > span[0]]
    if not hit or (hit[0] == 1 and hit[-1] == len(spans)):
        return None
    return (hit[0], hit[-1])


def parse_range(answer: str, count: int) -> tuple[int, int] | None:
    """'2', '2-3', '2–4', '3-' or '-2' → (first, last) within 1..count; None when unreadable."""
    answer = answer.strip().replace("–", "-").replace(" ", "")
    m = re.fullmatch(r"(\d*)(?:-(\d*))?", answer)
    if not m or not answer or answer == "-":
        return None
    first = int(m[1]) if m[1] else 1
    last = (int(m[2]) if m[2] else count) if m[2] is not None or "-" in answer else first
    if not (1 <= first <= last <= count):
        return None
    return (first, last)


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _abbreviation_before(text: str, dot: int) -> bool:
    j = dot
    while j > 0 and (text[j - 1].isalpha() or text[j - 1] in ".'’"):  # foto's. is a word, not "s."
        j -= 1
    word = text[j:dot].lower()
    if "'" in word or "’" in word:
        return False
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def parse_ranges(answer: str, count: int) -> list[tuple[int, int]] | None:
    """'2-3,7' → [(2, 3), (7, 7)]: several ranges, sorted, touching ones joined; None when unreadable."""
    parts = [p for p in answer.replace(";", ",").split(",") if p.strip()]
    if not parts:
        return None
    ranges = []
    for part in parts:
        rng = parse_range(part, count)
        if rng is None:
            return None
        ranges.append(rng)
    merged: list[tuple[int, int]] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def sentence_ranges(text: str, spans: list[tuple[int, int]] | None) -> list[tuple[int, int]]:
    """The 1-based sentence ranges each span covers; [] for the whole passage."""
    out = []
    for span in spans or []:
        rng = sentence_range(text, span)
        if rng is not None:
            out.append(rng)
    return out
