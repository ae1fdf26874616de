"""`find`: every match of a query in the study's coded passages, as keyword-in-context lines,
with the selection filters of `quote` and the personal-data screen of quotes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from grondmotief.search.concordance import kwic
from grondmotief.search.passages import PassageReader
from grondmotief.search.query import Query
from grondmotief.study.folder import Study


@dataclass(frozen=True)
class Hit:
    id: str  # citation id of the passage
    transcript: str
    paragraph: int
    attribution: str
    start: int  # the match in the passage text
    end: int
    left: str
    match: str
    right: str
    kind: str  # how it matched: keyword, stem, head, phrase, loose, split, exact, regex

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "transcript": self.transcript,
            "paragraph": self.paragraph,
            "attribution": self.attribution,
            "start": self.start,
            "end": self.end,
            "left": self.left,
            "match": self.match,
            "right": self.right,
            "kind": self.kind,
        }


@dataclass
class Selection:
    """Which passages to search: as `quote` selects them (codes AND, --where, --transcript,
    --coder), or those no chosen coder accepted a code on (`uncoded`)."""

    codes: list[str] = field(default_factory=list)
    where: dict[str, set[str]] = field(default_factory=dict)
    transcripts: list[str] | None = None
    coders: list[str] | None = None
    uncoded: bool = False


@dataclass
class Found:
    hits: list[Hit]
    passages: int  # passages searched
    withheld: list[tuple[str, str]]  # (citation id, kinds of personal data): never their text
    parsed_transcripts: int  # transcripts the cache did not cover (parsed in this run)
    orphaned: int  # accepted decisions left out because their passage changed


def find(study: Study, query: Query, selection: Selection, *, width: int = 40, allow_flagged: bool = False) -> Found:
    from grondmotief.privacy.finding import kinds
    from grondmotief.report.quotes import attribution

    reader = PassageReader(study)
    matcher = reader.matcher(query)
    hits: list[Hit] = []
    withheld: list[tuple[str, str]] = []
    searched = 0
    sel = selected(study, selection, reader, parse=query.needs_parse)
    for tp, segs in sel:
        searched += len(segs)
        ids = {s.id for s in segs}
        found = matcher.match_parsed(tp.parsed, tp.texts(ids)) if tp.parsed is not None else None
        attr = attribution(study.transcripts[tp.transcript])
        for seg, key in zip(tp.segments, tp.keys, strict=True):
            if seg.id not in ids:
                continue
            got = found.get(key, []) if found is not None else matcher.match_text(seg.text)
            if not got:
                continue
            lines = [kwic(seg.text, m, width) for m in got]
            if not allow_flagged:
                flagged = [f for line in lines for f in study.scan(line.plain())]
                if flagged:
                    withheld.append((seg.id, kinds(flagged)))
                    continue
            for m, line in zip(got, lines, strict=True):
                hits.append(
                    Hit(seg.id, seg.transcript, seg.n, attr, m.start, m.end, line.left, line.match, line.right, m.kind)
                )
    return Found(hits, searched, withheld, reader.parsed_transcripts, sel.orphaned)


class selected:  # noqa: N801 - used like a generator function
    """(transcript passages, its selected segments) per transcript with any; `orphaned` is
    known once iteration starts."""

    def __init__(self, study: Study, selection: Selection, reader: PassageReader, *, parse: bool) -> None:
        self.study, self.selection, self.reader, self.parse = study, selection, reader, parse
        self.orphaned = 0

    def __iter__(self) -> Any:
        from grondmotief.analysis.tallies import coded_passages
        from grondmotief.report.quotes import QuoteFinder

        study, selection = self.study, self.selection
        allowed: set[str] | None = None
        uncoded: set[str] = set()
        if selection.codes or selection.uncoded:
            coded = coded_passages(study, selection.coders)
            self.orphaned = coded.orphaned
            if selection.codes:
                allowed = set(QuoteFinder(study, coded).candidates(selection.codes))
            if selection.uncoded:
                uncoded = set(coded.by_segment)
        for tp in self.reader.read(_transcripts(study, selection), parse=self.parse):
            segs = [
                s
                for s in tp.segments
                if (allowed is None or s.id in allowed) and not (selection.uncoded and s.id in uncoded)
            ]
            if segs:
                yield tp, segs


def _transcripts(study: Study, selection: Selection) -> list[str] | None:
    """Transcript ids to read (None: all), from --transcript and --where."""
    from grondmotief.analysis.tallies import natural_key

    if not selection.where:
        return selection.transcripts
    keep = [
        tid
        for tid, t in study.transcripts.items()
        if all(str(t.attributes.get(k)) in vals for k, vals in selection.where.items())
        and (selection.transcripts is None or tid in selection.transcripts)
    ]
    return sorted(keep, key=natural_key)


def counts(hits: list[Hit]) -> list[dict[str, Any]]:
    """Per transcript (in citation order): matches and passages with a match."""
    out: dict[str, dict[str, Any]] = {}
    for h in hits:
        row = out.setdefault(h.transcript, {"transcript": h.transcript, "matches": 0, "passages": set()})
        row["matches"] += 1
        row["passages"].add(h.id)
    return [dict(r, passages=len(r["passages"])) for r in out.values()]
