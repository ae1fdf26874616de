"""Which `Word:` prefixes at the start of a line are speakers, shared by every importer.

A transcript's speakers are a few labels that recur, turn after turn, through the document.
Words that merely end in a colon at a line start ("Abstract:", "RQ1:", "Koronavírus:") are text:
they are many, mostly once each, and taking them for speakers would delete them. So a prefix
is taken only when (1) it recurs, (2) the recurring labels carry nearly all the prefixed lines,
and (3) they open a fair share of the paragraphs (nearly all of them when there are more than
MAX_SPEAKERS labels, as in a meeting). Everything else stays verbatim.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

MAX_SPEAKERS = 6
SHOWN = 8  # labels listed in a note; a meeting may have forty
# Names that are speakers even when they speak once: roles and numbered speakers.
ROLE_NAME = re.compile(
    r"^(i|int|interviewer|interviewster|interviewee?r|onderzoeker|vraagsteller|q|r|a|respondent|geïnterviewde|"
    r"spreker|speaker|deelnemer|participant)\s*\d{0,2}$",
    re.IGNORECASE,
)
SHARE_OF_PREFIXED = 0.8  # the taken labels carry at least this share of all lines with a prefix
SHARE_OF_PARAGRAPHS = 0.2  # and open at least this share of the paragraphs
SHARE_OF_PARAGRAPHS_MANY = 0.6  # with more than MAX_SPEAKERS labels: nearly every paragraph opens with one


@dataclass
class SpeakerChoice:
    taken: dict[str, int]  # name as written → turns it opens, in order of first appearance
    kept: int = 0  # lines whose `Word:` prefix is left as text
    kept_distinct: int = 0

    def note(self, labels: dict[str, str] | None = None) -> str:
        """What was taken (as labels, never names: names are personal data) and what was kept."""
        parts = []
        if self.taken:
            items = list(self.taken.items())
            shown = ", ".join(
                f"{(labels or {}).get(n, '?')} ({c} turn{'s' if c != 1 else ''})" for n, c in items[:SHOWN]
            ) + (f" and {len(items) - SHOWN} more" if len(items) > SHOWN else "")
            parts.append(f"{len(self.taken)} speaker label(s) taken: {shown}")
        if self.kept:
            parts.append(
                f"{self.kept} line(s) starting with a word and ':' ({self.kept_distinct} different) are not "
                "speaker turns and were kept as text"
            )
        return "; ".join(parts)


def choose_speakers(names: Sequence[str], paragraphs: int) -> SpeakerChoice:
    """`names`: the prefix of every line that has one, in order; `paragraphs`: how many there are."""
    counts = Counter(names)
    order = list(dict.fromkeys(names))
    recurring = sorted((n for n in order if counts[n] >= 2), key=lambda n: (-counts[n], order.index(n)))
    covered = sum(counts[n] for n in recurring)
    total = len(names)
    paragraphs = max(paragraphs, 1)
    if len(recurring) > MAX_SPEAKERS:
        # Many voices (a meeting, a focus group) only when nearly every paragraph opens with one.
        ok = total >= SHARE_OF_PARAGRAPHS_MANY * paragraphs
    else:
        ok = bool(recurring) and covered >= SHARE_OF_PARAGRAPHS * paragraphs
    if not ok or covered < SHARE_OF_PREFIXED * total:
        return SpeakerChoice({}, total, len(counts))
    # A speaker who says one thing: a role ("Respondent 2") always; any name when nearly every
    # paragraph opens with a label, as in a meeting.
    everyone = len(recurring) > MAX_SPEAKERS
    chosen = set(recurring) | {n for n in order if counts[n] == 1 and (everyone or ROLE_NAME.match(n))}
    kept = sum(c for n, c in counts.items() if n not in chosen)
    return SpeakerChoice({n: counts[n] for n in order if n in chosen}, kept, sum(1 for n in counts if n not in chosen))
