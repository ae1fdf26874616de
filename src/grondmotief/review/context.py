"""The turns around a passage, for reading it in its place in the interview.

By default the loop shows the turn before (typically the interviewer's question). Questions often
point back ("Wat betekent dat concreet voor u?"), so `v` adds the respondent's previous turn and
the turn after the passage (usually the next question).
"""

from __future__ import annotations

from grondmotief.study.folder import Study
from grondmotief.study.transcripts import Segment


def around(study: Study, seg: Segment, *, more: bool) -> tuple[list[Segment], list[Segment]]:
    """(turns before, turns after) the passage, in reading order."""
    t = study.transcripts[seg.transcript]
    before: list[Segment] = []
    prev = t.previous_turn(seg)
    if prev is not None:
        before.append(prev)
    if not more:
        return before, []
    roles = study.settings.coded_roles
    # The respondent's previous turn: the nearest coded turn before the one already shown.
    n = (before[0].n if before else seg.n) - 1
    while n >= 1:
        turn = t.segment(n)
        if turn is not None and turn.role in roles:
            before.insert(0, turn)
            break
        n -= 1
    after = t.segment(seg.n + 1)
    return before, [after] if after is not None else []
