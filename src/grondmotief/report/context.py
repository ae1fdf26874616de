"""The data a chapter template sees: plain dicts, lists, strings and numbers, plus a few pure helpers.

The reference for template authors is the "Template context" table in docs/sections/report.md;
keep the two in step. Nothing here carries an absolute path, a date of rendering or a privacy
setting, so the same study renders to the same bytes anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from grondmotief.analysis.tallies import (
    Crosstab,
    attribute_keys,
    attribute_value,
    attribute_values,
    clash,
    clash_strength,
    coded_passages,
    crosstab,
    natural_key,
    spheres,
)
from grondmotief.privacy.mdsafe import Md, clean, escape_inline, escape_text
from grondmotief.report.quotes import VALUE_LABELS, Quote, QuoteFinder, QuoteUsage, Withheld, best_quotes
from grondmotief.study.folder import Study

# Dutch names for the attributes the demo study and `init` use; other keys print as they are.
ATTRIBUTE_NAMES = {
    "organisation_type": "Type organisatie",
    "sector": "Sector",
    "respondent_role": "Rol respondent",
    "municipalities": "Aantal gemeenten",
}


@dataclass
class RenderState:
    figures: dict[str, Callable[[], str]] = field(default_factory=dict)  # chapters/-relative path → SVG maker
    withheld: list[Withheld] = field(default_factory=list)
    orphaned: int = 0  # accepted decisions left out because their passage changed (see `check`)


def value_label(value: Any, key: str = "") -> str:
    return VALUE_LABELS.get(key, {}).get(str(value), attribute_value(value))


def attribute_label(key: str) -> str:
    return ATTRIBUTE_NAMES.get(key, key)


def attribute_order(keys: list[str]) -> list[str]:
    """The attributes a reader looks for first (type of organisation, sector, …), then the rest A–Z."""
    known = list(ATTRIBUTE_NAMES)
    return sorted(keys, key=lambda k: (known.index(k) if k in known else len(known), k))


_CODE_REF = re.compile(r"\b(?i:codeer|zie|code)\s+([A-Za-z0-9][\w-]*)")


def code_refs(text: Any, study: Study) -> Md:
    """Escaped text in which a code id after "codeer", "zie" or "code" becomes its label in italics.

    Codebooks are written by coders, who refer to other codes by id ("(codeer equality)"); a Dutch
    appendix reads better with the label: "(codeer *Gelijkwaardigheid*)".
    """
    codes = study.codebook.codes
    raw = clean("" if text is None else str(text))
    out: list[str] = []
    last = 0
    for m in _CODE_REF.finditer(raw):
        if m.group(1) in codes:
            out.append(escape_text(raw[last : m.start(1)]))
            out.append("*" + escape_inline(codes[m.group(1)].label) + "*")
            last = m.end(1)
    out.append(escape_text(raw[last:]))
    return Md("".join(out))


def _code_dict(study: Study, cid: str) -> dict[str, Any]:
    from grondmotief.analysis.tallies import pole

    c = study.codebook.codes[cid]
    s = c.spec
    return {
        "id": cid,
        "label": c.label,
        "group": c.group,
        "parent": c.parent,
        "depth": c.depth,
        "children": list(c.children),
        "definition": " ".join(s.definition.split()),
        "include": list(s.include),
        "exclude": list(s.exclude),
        "examples": list(s.examples),
        "keywords": list(s.keywords),
        "sphere": c.sphere,
        "pole": pole(c.sphere),
        "color": s.color,
        "attributes": dict(s.attributes),
    }


def _quote_dict(q: Quote, study: Study) -> dict[str, Any]:
    d = q.as_dict()
    d["cite"] = f"{q.attribution} ({q.id})" if q.attribution else f"({q.id})"
    if q.pairs:
        labels = study.codebook.codes
        d["pairs"] = [
            {"civil": a, "state": b, "civil_label": labels[a].label, "state_label": labels[b].label} for a, b in q.pairs
        ]
    return d


def _crosstab_dict(t: Crosstab, study: Study) -> dict[str, Any]:
    def depth(ax: Any, key: str) -> int:
        return study.codebook.codes[key].depth if ax.kind == "group" else 0

    return {
        "rows": [{"key": k, "label": t.rows.labels[k], "depth": depth(t.rows, k)} for k in t.rows.keys],
        "cols": [{"key": k, "label": t.cols.labels[k], "depth": depth(t.cols, k)} for k in t.cols.keys],
        "counts": {r: {c: t.count(r, c) for c in t.cols.keys} for r in t.rows.keys},
        "shares": {r: {c: t.share(r, c) for c in t.cols.keys} for r in t.rows.keys},
        "row_totals": dict(t.row_totals),
        "col_totals": dict(t.col_totals),
        "unit": t.unit,
        "rows_name": t.rows.name,
        "cols_name": t.cols.name,
    }


def _depths(t: Crosstab, study: Study) -> tuple[list[int], list[int]]:
    def of(ax: Any) -> list[int]:
        return [study.codebook.codes[k].depth if ax.kind == "group" else 0 for k in ax.keys]

    return of(t.rows), of(t.cols)


def _clash_groups(study: Study) -> tuple[str, str] | None:
    """(rows group, motive group): the first group whose codes carry both poles, and the first other group."""
    cb = study.codebook
    for g in cb.groups:
        if {"civil", "state"} <= set(spheres(cb, g).values()):
            others = [o for o in cb.groups if o != g and cb.in_group(o)]
            return (others[0], g) if others else None
    return None


def build_context(
    study: Study, coders: list[str] | None, *, allow_flagged: bool = False
) -> tuple[dict[str, Any], RenderState]:
    cb = study.codebook
    state = RenderState()
    coded = coded_passages(study, coders)
    state.orphaned = coded.orphaned
    finder = QuoteFinder(study, coded)
    per_code = study.settings.report.quotes_per_code
    transcripts = sorted(study.transcripts.values(), key=lambda t: natural_key(t.id))
    keys = attribute_order(attribute_keys(study))
    values = {k: attribute_values(study, k) for k in keys}

    codes = {cid: _code_dict(study, cid) for cid in cb.order}
    groups = {
        g: {
            "id": g,
            "label": spec.label,
            "description": " ".join(spec.description.split()),
            "codes": [codes[c] for c in cb.in_group(g)],
            "top": [codes[c] for c in cb.in_group(g, top_only=True)],
        }
        for g, spec in cb.groups.items()
    }
    tally: dict[str, Any] = {}
    for cid in cb.order:
        segs = coded.by_code.get(cid, set())
        with_code = {s.rsplit("¶", 1)[0] for s in segs}
        tally[cid] = {
            "passages": len(segs),
            "cases": len(with_code),
            "cases_total": len(transcripts),
            "by": {
                k: {
                    v: {"cases": sum(1 for m in members if m in with_code), "of": len(members)}
                    for v, members in values[k].items()
                }
                for k in keys
            },
        }
    # Quotes of one group (the themes of a chapter) spread over organisations and passages together.
    quotes: dict[str, list[dict[str, Any]]] = {}
    for g in cb.groups:
        usage = QuoteUsage()
        for cid in cb.in_group(g):
            found = best_quotes(
                finder, [cid], per_code, allow_flagged=allow_flagged, withheld=state.withheld, usage=usage
            )
            quotes[cid] = [_quote_dict(q, study) for q in found]
    quotes = {cid: quotes.get(cid, []) for cid in cb.order}
    coded_by_case: dict[str, int] = {}
    for seg in coded.by_segment:
        tid = seg.rsplit("¶", 1)[0]
        coded_by_case[tid] = coded_by_case.get(tid, 0) + 1
    roles = study.settings.coded_roles
    cases = [
        {
            "id": t.id,
            "title": t.meta.title,
            "attributes": dict(t.attributes),
            "passages": len(t.coded_segments(roles)),
            "coded": coded_by_case.get(t.id, 0),
        }
        for t in transcripts
    ]

    @lru_cache(maxsize=64)
    def _table(rows: str, cols: str, unit: str, top_only: bool) -> Crosstab:
        return crosstab(study, rows, cols, unit=unit, top_only=top_only, passages=coded)  # type: ignore[arg-type]

    def crosstab_fn(rows: str, cols: str, unit: str = "passage", top_only: bool = False) -> dict[str, Any]:
        if unit not in ("passage", "case"):
            raise ValueError("unit must be 'passage' or 'case'")
        return _crosstab_dict(_table(str(rows), str(cols), unit, bool(top_only)), study)

    def axis_title(name: str) -> str:
        return cb.groups[name].label if name in cb.groups else attribute_label(name)

    def figure_fn(rows: str, cols: str, share: bool = False) -> Md:
        from grondmotief.report.figures import cooccurrence_svg

        table = _table(str(rows), str(cols), "passage", False)
        rel = f"figures/{'share' if share else 'cooccurrence'}-{rows}-{cols}.svg"
        titles = (axis_title(str(rows)), axis_title(str(cols)))
        state.figures[rel] = lambda: cooccurrence_svg(
            table, share=bool(share), row_title=titles[0], col_title=titles[1], depths=_depths(table, study)
        )
        return Md(rel)

    def quotes_fn(
        codes: list[str] | str = "", n: int = per_code, where: dict[str, Any] | None = None, context: bool = False
    ) -> list[dict[str, Any]]:
        wanted = ([codes] if codes else []) if isinstance(codes, str) else list(codes)
        wanted = [cb.resolve(c) for c in wanted]  # ids or labels, any case
        cond = {
            str(k): {str(v) for v in (vs if isinstance(vs, list | tuple) else [vs])} for k, vs in (where or {}).items()
        }
        pool = finder.candidates(wanted, cond)
        return [
            _quote_dict(q, study)
            for q in best_quotes(
                finder,
                wanted,
                int(n),
                context=bool(context),
                segs=pool,
                allow_flagged=allow_flagged,
                withheld=state.withheld,
            )
        ]

    ctx: dict[str, Any] = {
        "study": {
            "codebook": cb.name,
            "language": cb.data.language,
            "coders": coders or study.coders(),
            "coder": study.settings.report.coder,
            "orphaned": coded.orphaned,
            "quotes_per_code": per_code,
            "transcripts": len(transcripts),
            "passages": sum(c["passages"] for c in cases),
            "coded_passages": len(coded.by_segment),
        },
        "settings": {
            "codebook": study.settings.codebook,
            "coded_roles": list(roles),
            "report": study.settings.report.model_dump(mode="json"),
        },
        "codebook": {
            "name": cb.name,
            "description": " ".join(cb.data.description.split()),
            "language": cb.data.language,
        },
        "groups": groups,
        "codes": codes,
        "cases": cases,
        "attributes": {k: {"label": attribute_label(k), "values": list(values[k])} for k in keys},
        "tally": tally,
        "quotes": quotes,
        "clash": _clash_context(study, coded, finder, per_code, allow_flagged, state),
        "crosstab": crosstab_fn,
        "figure": figure_fn,
        "select_quotes": quotes_fn,
        "value_label": value_label,
        "attribute_label": attribute_label,
        "code_refs": lambda text: code_refs(text, study),
    }
    return ctx, state


def _clash_context(
    study: Study, coded: Any, finder: QuoteFinder, per_code: int, allow_flagged: bool, state: RenderState
) -> dict[str, Any] | None:
    pair = _clash_groups(study)
    if pair is None:
        return None
    rows_group, motive_group = pair
    table = clash(study, rows=rows_group, motives=motive_group, passages=coded)
    cb = study.codebook
    rank: dict[str, tuple[int, ...]] = {s: clash_strength(pc) for s, pc in table.passages.items()}

    def codes_for(seg: str) -> list[str]:
        return sorted({c for p in table.passages[seg].pairs for c in p}, key=cb.order.index)

    def pick(segs: list[str], usage: QuoteUsage) -> list[dict[str, Any]]:
        found = best_quotes(
            finder,
            [],
            per_code,
            segs=segs,
            rank=rank,
            codes_for=codes_for,
            allow_flagged=allow_flagged,
            withheld=state.withheld,
            usage=usage,
        )
        for q in found:
            q.pairs = list(table.passages[q.id].pairs)
        return [_quote_dict(q, study) for q in found]

    def row_dict(r: Any) -> dict[str, Any]:
        return {
            "code": r.code,
            "label": r.label,
            "passages": r.passages,
            "civil": r.civil,
            "state": r.state,
            "clashes": r.clashes,
            "cases": r.cases,
            "share": r.share,
            "pairs": [
                {"civil": a, "state": b, "civil_label": cb.codes[a].label, "state_label": cb.codes[b].label, "count": n}
                for (a, b), n in r.pairs.items()
            ],
        }

    rows = []
    usage = QuoteUsage()  # the clash sections of a chapter spread their quotes together
    for r in table.rows:
        d = row_dict(r)
        segs = [s for s in coded.by_code.get(r.code, set()) if s in table.passages]
        d["quotes"] = pick(segs, usage) if segs else []
        rows.append(d)
    return {
        "rows_group": rows_group,
        "motive_group": motive_group,
        "civil": [c for c in cb.order if table.poles.get(c) == "civil"],
        "state": [c for c in cb.order if table.poles.get(c) == "state"],
        "rows": rows,
        "total": row_dict(table.total),
        "rows_sum": sum(r.clashes for r in table.rows),
        "outside_rows": table.outside_rows,
        "in_several_rows": table.in_several_rows,
        "strongest": pick(list(table.passages), QuoteUsage()),
    }
