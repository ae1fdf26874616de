"""New codes while coding: `c` with a name that matches no code offers to create it.

Defaults: the highlighted code's group (else the first), no parent, the label as typed. With a
sentence range chosen first (`s` on a passage without a matching code, then `c`), the label can be
the quoted words themselves (in-vivo coding). The code is written into the codebook YAML in place,
keeping its comments and order, by the codebook editor (grondmotief.codebook_edit), then accepted
on the passage.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from grondmotief.errors import GrondmotiefError
from grondmotief.review.session import ReviewSession, Step

_ID_CHARS = re.compile(r"[^a-z0-9]+")


@dataclass
class Proposal:
    id: str
    label: str
    group: str


def code_id(name: str) -> str:
    """'Eigen regie!' → 'eigen-regie': lower-case ASCII letters, digits and hyphens."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return _ID_CHARS.sub("-", ascii_name).strip("-")[:40].strip("-")


def proposal(session: ReviewSession, typed: str, group_index: int, span: tuple[int, int] | None) -> Proposal:
    groups = list(session.study.codebook.groups)
    group = groups[group_index % len(groups)] if groups else ""
    label = typed.strip()
    if span is not None:
        label = " ".join(session.current.text[span[0] : span[1]].split())
    return Proposal(code_id(typed) or "new-code", label, group)


def create(
    session: ReviewSession, typed: str, group_index: int, span: tuple[int, int] | None
) -> tuple[str, Step | None]:
    """Write the code into the codebook, reload it, and accept it on the passage."""
    try:
        from grondmotief.codebook_edit import add_code  # type: ignore[import-not-found]
    except ImportError:
        raise GrondmotiefError("this build has no codebook editor yet; add the code to the codebook YAML") from None
    prop = proposal(session, typed, group_index, span)
    if prop.id in session.study.codebook.codes:
        raise GrondmotiefError(f"a code '{prop.id}' exists already: c {prop.id} adds it")
    add_code(session.study.codebook.path, prop.id, label=prop.label, group=prop.group)
    session.reload_codebook()
    return prop.id, session.add(prop.id)
