"""Quotes: the verbatim accepted spans of coded passages, with citation id and an anonymous attribution.

One quote per passage per query: when several coders accepted the passage (or several of the asked
codes), their spans are merged; disjoint spans are joined with "(…)", the usual elision mark.
Before a quote is printed it is scanned for personal data (privacy/detector.py); a flagged quote is withheld
unless the caller allows it, and the caller learns its citation id and the kinds of data found.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from grondmotief.analysis.tallies import CodedPassages, case_of, citation_key
from grondmotief.core.errors import UsageProblem
from grondmotief.privacy.finding import kinds
from grondmotief.study.folder import Study
from grondmotief.study.transcripts import Segment, Transcript

if TYPE_CHECKING:
    from grondmotief.study.codings import Decision

ELISION = " (…) "
# Attributes that make up a quote's attribution, and Dutch wording for known values. Attributes are
# set by the researcher per transcript; a person's name is never among them.
ATTRIBUTION_KEYS = ("organisation_type", "sector")
VALUE_LABELS: dict[str, dict[str, str]] = {
    "organisation_type": {
        "volunteers-only": "vrijwilligersorganisatie",
        "volunteer-centred": "organisatie rond vrijwilligerswerk",
        "professionals-with-volunteers": "professionele organisatie met vrijwilligers",
    },
}


@dataclass
class Quote:
    id: str  # citation id, org07¶12
    transcript: str
    paragraph: int
    text: str
    spans: list[tuple[int, int]]  # merged, segment-relative; the whole passage when it was accepted whole
    attribution: str
    codes: list[str]  # every code on the passage (rolled up), codebook order
    coders: list[str]  # coders who accepted the matched codes here
    context: str | None = None  # the preceding turn, usually the interviewer's question
    context_role: str | None = None
    pairs: list[tuple[str, str]] = field(default_factory=list)  # clashing motive pairs, when relevant

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "transcript": self.transcript,
            "paragraph": self.paragraph,
            "text": self.text,
            "spans": [list(s) for s in self.spans],
            "attribution": self.attribution,
            "codes": list(self.codes),
            "coders": list(self.coders),
        }
        if self.context is not None:
            out["context"] = {"role": self.context_role, "text": self.context}
        if self.pairs:
            out["pairs"] = [list(p) for p in self.pairs]
        return out


@dataclass
class Withheld:
    id: str
    kinds: str


def attribution(t: Transcript) -> str:
    parts = []
    for key in ATTRIBUTION_KEYS:
        value = t.attributes.get(key)
        if value is None or value == "" or key in {f.split(".", 1)[-1] for f in t.withheld_meta}:
            continue  # a withheld value says nothing in an attribution
        parts.append(VALUE_LABELS.get(key, {}).get(str(value), str(value)))
    return ", ".join(parts)


def merge_spans(decisions: Iterable[Decision], length: int) -> list[tuple[int, int]]:
    """The spans to quote: the narrowed spans the decisions carry, merged; else the whole passage.

    A coder who accepted the whole passage does not widen another coder's narrowed span: the span
    is the part someone judged quotable, and a whole 900-character turn is rarely what a reader needs.
    """
    spans = []
    for d in decisions:
        for lo, hi in d.ranges or []:  # a decision may code several separate pieces: only those
            s, e = max(0, min(lo, length)), max(0, min(hi, length))
            if e > s:
                spans.append((s, e))
    return _union(spans) or [(0, length)]


def _union(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    ordered = sorted(spans)
    if not ordered:
        return []
    merged = [ordered[0]]
    for s, e in ordered[1:]:
        if s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def span_text(seg: Segment, spans: list[tuple[int, int]]) -> str:
    pieces = [seg.text[s:e].strip() for s, e in spans]
    return ELISION.join(p for p in pieces if p)


def parse_where(items: list[str] | None, study: Study) -> dict[str, set[str]]:
    """--where key=value (repeatable): different keys must all hold, repeated keys are alternatives."""
    from grondmotief.analysis.tallies import attribute_keys

    out: dict[str, set[str]] = {}
    known = attribute_keys(study)
    for item in items or []:
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            raise UsageProblem(f"--where '{item}': expected key=value, e.g. --where sector=sport")
        if key not in known:
            raise UsageProblem(
                f"--where '{item}': no transcript has attribute '{key}' (attributes: {', '.join(known) or 'none'})"
            )
        values = sorted({str(t.attributes[key]) for t in study.transcripts.values() if key in t.attributes})
        if value not in values:
            raise UsageProblem(f"--where '{item}': no transcript has {key}={value} ({key}: {', '.join(values)})")
        out.setdefault(key, set()).add(value)
    return out


class QuoteFinder:
    """Builds quotes from one set of coded passages; shared by `quote` and `report`."""

    def __init__(self, study: Study, coded: CodedPassages) -> None:
        self.study = study
        self.coded = coded
        self.cb = study.codebook
        self._under = {cid: {cid, *self.cb.descendants(cid)} for cid in self.cb.codes}
        self._spans: dict[str, set[str]] | None = None

    def candidates(
        self, codes: list[str], where: dict[str, set[str]] | None = None, transcripts: list[str] | None = None
    ) -> list[str]:
        """Segment ids carrying every code asked for (after roll-up), in citation order."""
        if codes:
            sets = sorted((self.coded.by_code.get(c, set()) for c in codes), key=len)
            segs = set(sets[0]).intersection(*sets[1:])
        else:
            segs = set(self.coded.by_segment)
        if where or transcripts:
            tr = self.study.transcripts
            allowed_t = set(transcripts) if transcripts else None

            def keep(seg: str) -> bool:
                tid = case_of(seg)
                if allowed_t is not None and tid not in allowed_t:
                    return False
                attrs = tr[tid].attributes
                return all(str(attrs.get(k)) in vals for k, vals in (where or {}).items())

            segs = {s for s in segs if keep(s)}
        return sorted(segs, key=citation_key)

    def build(self, seg_id: str, codes: list[str], *, context: bool = False) -> Quote:
        seg = self.study.segment(seg_id)
        t = self.study.transcripts[seg.transcript]
        wanted = set().union(*(self._under[c] for c in codes)) if codes else None
        matched = [d for d in self.coded.segment_decisions.get(seg_id, []) if wanted is None or d.code in wanted]
        # Per asked code its narrowed spans (else the whole passage), then their union: a quote for
        # "subsidies AND efficiency" shows the part about each.
        groups = [[d for d in matched if d.code in self._under[c]] for c in codes] if codes else [matched]
        spans = _union(span for g in groups for span in merge_spans(g, len(seg.text)))
        on_passage = self.coded.by_segment.get(seg_id, set())
        q = Quote(
            seg_id,
            seg.transcript,
            seg.n,
            span_text(seg, spans),
            spans,
            attribution(t),
            [c for c in self.cb.order if c in on_passage],
            sorted({d.coder for d in matched}),
        )
        if context:
            prev = t.previous_turn(seg)
            if prev is not None:
                q.context, q.context_role = prev.text, prev.role
        return q

    def narrowed(self, seg_id: str, codes: list[str]) -> bool:
        """Whether a quote of these codes here would be a narrowed span, not the whole passage."""
        if self._spans is None:  # passage → codes with a narrowed span there; most passages have none
            self._spans = {}
            for d in self.coded.decisions:
                if d.span is not None:
                    self._spans.setdefault(d.segment, set()).add(d.code)
        narrowed = self._spans.get(seg_id)
        if not narrowed:
            return False
        return not codes or any(narrowed & self._under[c] for c in codes)

    def agreement(self, seg_id: str, codes: list[str]) -> int:
        """How many coders accepted the asked codes on this passage (all of them, for several codes)."""
        per_coder = self.coded.by_coder.get(seg_id, {})
        return sum(1 for own in per_coder.values() if all(c in own for c in codes)) if codes else len(per_coder)


def screen(
    quotes: Iterable[Quote], study: Study, *, allow_flagged: bool = False, withheld: list[Withheld] | None = None
) -> Iterator[Quote]:
    """Yield the quotes that are safe to print; note the others (id and kinds, never text) in `withheld`."""
    for q in quotes:
        found = study.scan(q.text)
        if q.context:
            found += study.scan(q.context)
        if found and not allow_flagged:
            if withheld is not None:
                withheld.append(Withheld(q.id, kinds(found)))
            continue
        yield q


def find_quotes(
    study: Study,
    coded: CodedPassages,
    codes: list[str],
    *,
    where: dict[str, set[str]] | None = None,
    transcripts: list[str] | None = None,
    limit: int | None = None,
    sample: int | None = None,
    seed: int = 0,
    context: bool = False,
    allow_flagged: bool = False,
    withheld: list[Withheld] | None = None,
) -> list[Quote]:
    """The `quote` command: matching passages in citation order, or a seeded random sample of them.

    Sampling shuffles the candidates with `random.Random(seed)` and takes the first `sample` that pass
    the personal-data screen, then puts them back in citation order: same study and seed, same quotes.
    """
    finder = QuoteFinder(study, coded)
    segs = finder.candidates(codes, where, transcripts)
    n = limit
    if sample is not None:
        random.Random(seed).shuffle(segs)
        n = sample if limit is None else min(sample, limit)
    out: list[Quote] = []
    for q in screen(
        (finder.build(s, codes, context=context) for s in segs), study, allow_flagged=allow_flagged, withheld=withheld
    ):
        out.append(q)
        if n is not None and len(out) >= n:
            break
    if sample is not None:
        out.sort(key=lambda q: citation_key(q.id))
    return out


@dataclass
class QuoteUsage:
    """What a chapter has quoted so far, so its quotes spread over organisations and passages."""

    cases: dict[str, int] = field(default_factory=dict)  # transcript id → quotes taken from it
    passages: set[str] = field(default_factory=set)


def best_quotes(
    finder: QuoteFinder,
    codes: list[str],
    n: int,
    *,
    context: bool = False,
    allow_flagged: bool = False,
    withheld: list[Withheld] | None = None,
    segs: list[str] | None = None,
    rank: dict[str, tuple[int, ...]] | None = None,
    codes_for: Callable[[str], list[str]] | None = None,
    usage: QuoteUsage | None = None,
) -> list[Quote]:
    """Up to n quotes for a report, spread over organisations, shown strongest first.

    Each next quote is the best remaining candidate by, in this order:
    1. not already quoted elsewhere in the chapter (`usage`): a passage under two themes is
       quoted once while another candidate exists;
    2. its organisation not yet quoted for these codes (one per case until every case had a turn);
    3. its organisation not yet quoted in the chapter at all;
    4. strength: `rank[segment]` when given (higher first), else the coders who accepted the codes;
    5. its organisation quoted least often in the chapter so far;
    6. its kind of organisation (`organisation_type`) quoted least often for these codes;
    7. a narrowed span before a whole passage; then citation order.
    A withheld quote makes room for the next candidate. `usage` is updated with what was picked.
    The chosen quotes are returned strongest first (then narrowed spans, then citation order).
    `codes_for(segment)` picks the codes whose spans make the quote (default: `codes`).
    """
    if n <= 0:
        return []
    study = finder.study
    pick_codes = codes_for or (lambda _s: codes)
    pool = segs if segs is not None else finder.candidates(codes)
    strength = rank or {s: (finder.agreement(s, codes),) for s in pool}
    kinds_of = {t.id: str(t.attributes.get("organisation_type", "")) for t in study.transcripts.values()}
    static = {
        s: (tuple(-x for x in strength.get(s, (0,))), not finder.narrowed(s, pick_codes(s)), citation_key(s))
        for s in pool
    }
    used = usage if usage is not None else QuoteUsage()
    here_cases: dict[str, int] = {}
    here_kinds: dict[str, int] = {}
    # Everything in the order but strength, narrowing and citation belongs to the organisation, so
    # each organisation's candidates are sorted once and only their heads compete for each pick.
    by_case: dict[str, list[str]] = {}
    for seg in sorted(pool, key=static.__getitem__):
        by_case.setdefault(case_of(seg), []).append(seg)

    def head(case: str) -> str:
        fresh = next((x for x in by_case[case] if x not in used.passages), None)
        return fresh if fresh is not None else by_case[case][0]

    def key(case: str) -> tuple[object, ...]:
        s = head(case)
        neg_strength, whole, cite_key = static[s]
        return (
            s in used.passages,
            here_cases.get(case, 0),
            used.cases.get(case, 0) > 0,
            neg_strength,
            used.cases.get(case, 0),
            here_kinds.get(kinds_of.get(case, ""), 0),
            whole,
            cite_key,
        )

    out: list[Quote] = []
    while by_case and len(out) < n:
        case = min(by_case, key=key)
        s = head(case)
        by_case[case].remove(s)
        if not by_case[case]:
            del by_case[case]
        quote = finder.build(s, pick_codes(s), context=context)
        if not list(screen([quote], study, allow_flagged=allow_flagged, withheld=withheld)):
            continue
        out.append(quote)
        here_cases[case] = here_cases.get(case, 0) + 1
        here_kinds[kinds_of.get(case, "")] = here_kinds.get(kinds_of.get(case, ""), 0) + 1
        used.cases[case] = used.cases.get(case, 0) + 1
        used.passages.add(s)
    out.sort(key=lambda q: static[q.id])  # chosen for spread, shown strongest first
    return out


# Rendering ----------------------------------------------------------------------------------------
ROLE_LABELS = {"interviewer": "Interviewer", "respondent": "Respondent"}


def role_label(role: str | None) -> str:
    return ROLE_LABELS.get(role or "", (role or "vorige beurt").capitalize())


def cite(q: Quote) -> str:
    return f"{q.attribution} ({q.id})" if q.attribution else f"({q.id})"


def quote_md(q: Quote) -> str:
    """One quote as a Markdown blockquote that its content cannot break, attribution on the last line."""
    from grondmotief.privacy.mdsafe import blockquote, escape_inline

    lines = []
    if q.context:
        lines += [f"> *{escape_inline(role_label(q.context_role))}:* {escape_inline(q.context)}", ">"]
    lines += [blockquote(q.text), ">", f"> — {escape_inline(cite(q))}"]
    return "\n".join(lines)


def quote_text(q: Quote) -> str:
    """Plain text for the terminal or a word processor; control characters removed."""
    from grondmotief.privacy.mdsafe import clean

    lines = [f"{q.id}" + (f" ({clean(q.attribution)})" if q.attribution else "")]
    if q.context:
        lines.append(f"  {role_label(q.context_role)}: {clean(q.context)}")
    lines.append(f"  “{clean(q.text)}”")
    return "\n".join(lines)


def render_quotes(quotes: list[Quote], fmt: str) -> str:
    if fmt == "md":
        return "".join(quote_md(q) + "\n\n" for q in quotes)
    if fmt == "text":
        return "".join(quote_text(q) + "\n\n" for q in quotes)
    raise ValueError(fmt)
