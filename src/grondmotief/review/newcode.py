"""New codes while coding: `c` with a name that matches no code offers to create it.

Defaults: the highlighted code's group (else the first), no parent, the label as typed. In-vivo
coding: with sentences chosen first (`s 2-3` then `c` instead of Enter), the new code's label is
the quoted words themselves (`l` switches back to the typed name), and the decision quotes them.
The code is written into the codebook YAML in place, keeping its comments and order, by the same
editor as the codebook refactoring commands (grondmotief.study.codebook_edit), then accepted on the passage.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from grondmotief.core.errors import GrondmotiefError
from grondmotief.review.sentences import sentence_span
from grondmotief.review.session import ReviewSession, Step

_ID_CHARS = re.compile(r"[^a-z0-9]+")
MAX_LABEL = 120  # an in-vivo label is a phrase, not a paragraph


@dataclass
class Proposal:
    id: str
    label: str
    group: str
    in_vivo: bool


def code_id(name: str) -> str:
    """'Eigen regie!' → 'eigen-regie': lower-case ASCII letters, digits and hyphens."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return _ID_CHARS.sub("-", ascii_name).strip("-")[:40].strip("-")


def quoted_words(session: ReviewSession, ranges: list[tuple[int, int]]) -> str:
    text = session.current.text
    parts = [" ".join(text[a:b].split()) for a, b in (sentence_span(text, f, t) for f, t in ranges)]
    label = " … ".join(parts)
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"


def proposal(
    session: ReviewSession, typed: str, group_index: int, ranges: list[tuple[int, int]] | None, *, in_vivo: bool = True
) -> Proposal:
    groups = list(session.study.codebook.groups)
    group = groups[group_index % len(groups)] if groups else ""
    use_quote = bool(ranges) and in_vivo
    label = quoted_words(session, ranges) if use_quote and ranges else typed.strip()
    return Proposal(code_id(typed) or "new-code", label, group, use_quote)


def create(
    session: ReviewSession,
    typed: str,
    group_index: int,
    ranges: list[tuple[int, int]] | None,
    *,
    in_vivo: bool = True,
) -> tuple[str, Step | None]:
    """Write the code into the codebook, use the new codebook, and accept the code on the passage."""
    from grondmotief.study.codebook_edit import add_code

    prop = proposal(session, typed, group_index, ranges, in_vivo=in_vivo)
    if not prop.group:
        raise GrondmotiefError("the codebook has no groups to put a new code in")
    study = session.study
    path = study.codebook.path
    new = add_code(path, prop.group, prop.id, prop.label, file_label=study.rel(path))
    study.__dict__["codebook"] = new  # Study.codebook is a cached property: the loop sees the new code
    if ranges:
        return prop.id, session.narrow(prop.id, ranges, manual=True, what=f"created {prop.id}")
    return prop.id, session.add(prop.id)
