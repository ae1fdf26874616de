"""Near misses: what the user probably meant when a code, coder or transcript id is not found.

One helper for every "no such …" message, so each says "did you mean …" the same way.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from grondmotief.core.errors import UsageProblem

# difflib's similarity from which a name counts as a near miss: 'bne' for ben (0.67) is one,
# 'org99' for org01 (0.6) is not.
CUTOFF = 0.65


def fold(name: str) -> str:
    """The form names are compared in: case and runs of spaces do not matter."""
    return " ".join(name.split()).casefold()


def close_matches(typed: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The candidates a typo most likely meant, best first: difflib's ratio on folded names,
    then names the typed text starts (`legit` for legitimacy)."""
    by_fold: dict[str, str] = {}
    for c in candidates:
        by_fold.setdefault(fold(c), c)
    key = fold(typed)
    if not key:
        return []
    scored = []
    for f in by_fold:
        m = difflib.SequenceMatcher(None, key, f)
        if m.real_quick_ratio() >= CUTOFF and m.quick_ratio() >= CUTOFF and m.ratio() >= CUTOFF:
            scored.append((-m.ratio(), f))
    hits = [f for _, f in sorted(scored)]  # best first; ties in name order, so output is stable
    if len(key) >= 3:
        hits += sorted(f for f in by_fold if f.startswith(key) and f not in hits)
    return [by_fold[h] for h in hits[:n]]


def or_list(names: list[str]) -> str:
    quoted = [f"'{x}'" for x in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def did_you_mean(typed: str, candidates: Iterable[str], n: int = 3) -> str:
    """'; did you mean 'x'?' for a near miss, else ''."""
    hits = close_matches(typed, candidates, n)
    return f"; did you mean {or_list(hits)}?" if hits else ""


def known(values: Iterable[str], limit: int = 30) -> str:
    """What the study has, for the end of an error message (long lists shortened)."""
    items = list(values)
    shown = ", ".join(items[:limit]) or "none"
    return shown + (f", … ({len(items)} in all)" if len(items) > limit else "")


def unknown(
    kind: str,
    typed: str,
    have: list[str],
    *,
    option: str | None = None,
    what: str | None = None,
    listing: str | None = None,
    hint: str | None = None,
) -> UsageProblem:
    """The usage error for a name that is not there, e.g. `--coder 'anan': no codings/anan.jsonl;
    did you mean 'anna'? (coders: anna, ben)`, or without an option `unknown code 'x'; …`.
    `hint` replaces the computed suggestion (pass "" for none)."""
    hint = did_you_mean(typed, have) if hint is None else hint
    head = f"{option} '{typed}': {what or 'no such ' + kind}" if option else f"unknown {kind} '{typed}'"
    return UsageProblem(f"{head}{hint} ({listing or kind + 's'}: {known(have)})")
