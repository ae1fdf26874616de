"""Round trip: export a generated study to .qdpx, import it into an empty folder, get the same study back."""

from __future__ import annotations

import json
import tempfile
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grondmotief.core.fileio import atomic_write_bytes, atomic_write_text, dump_yaml
from grondmotief.interop.refi_export import build_project, zip_project
from grondmotief.interop.refi_import import import_refi
from grondmotief.study.codings import Decision, render_codings
from grondmotief.study.folder import Study
from grondmotief.study.transcripts import FrontMatter, render_transcript

WORD = st.text(alphabet="abcdeéfghijklmnopqrstuvwxyzë", min_size=1, max_size=8)
SENTENCE = st.lists(WORD, min_size=1, max_size=8).map(" ".join)
# Paragraph text starts with a lower-case word (never a speaker label) and may hold ; : " ’ , ? and an emoji.
PARAGRAPH = st.tuples(
    WORD, st.lists(st.one_of(WORD, st.sampled_from([";", ":", '"x"', "’s", "?", "\U0001f642", "(…)"])), max_size=10)
).map(lambda t: " ".join([t[0], *t[1]]))
LABEL = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij ’'-", min_size=1, max_size=20).filter(
    lambda s: s.strip()
)
CODERS = ["anna", "Bert.K", "c_3"]
TIMES = ["2026-03-02T10:14:00Z", "2026-03-02T11:00:05Z", "2025-12-31T23:59:59Z"]


@st.composite
def studies(draw: st.DrawFn) -> dict:
    n_top = draw(st.integers(1, 4))
    codes = []
    for i in range(n_top):
        children = []
        for j in range(draw(st.integers(0, 2))):
            children.append({"id": f"c{i}-{j}", "label": draw(LABEL), "definition": draw(SENTENCE)})
        code = {
            "id": f"c{i}",
            "group": draw(st.sampled_from(["theme", "motive"])),
            "label": draw(LABEL),
            "definition": draw(st.one_of(st.just(""), SENTENCE, st.tuples(SENTENCE, SENTENCE).map("\n\n".join))),
            "keywords": [f"woord{i}"],
            "children": children,
        }
        if draw(st.booleans()):
            code["color"] = draw(st.sampled_from(["#4e79a7", "#F28E2B"]))
        if draw(st.booleans()):
            code["include"] = [draw(SENTENCE)]
            code["attributes"] = {"sphere": draw(st.sampled_from(["civil", "state"]))}
        codes.append(code)
    transcripts = []
    for k in range(draw(st.integers(1, 3))):
        paras = draw(st.lists(PARAGRAPH, min_size=1, max_size=5))
        attrs = {}
        if draw(st.booleans()):
            attrs["sector"] = draw(WORD)
        attrs["municipalities"] = draw(st.integers(0, 40))
        if draw(st.booleans()):
            attrs["paid_staff"] = draw(st.booleans())
        transcripts.append(
            {
                "id": f"org{k + 1:02d}",
                "title": draw(st.one_of(st.just(""), SENTENCE)),
                "attributes": attrs,
                "interviewed": draw(st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2026, 1, 1)))),
                "turns": [("I" if n % 2 == 0 else "R", p) for n, p in enumerate(paras)],
            }
        )
    return {"codes": codes, "transcripts": transcripts, "seed": draw(st.randoms(use_true_random=False))}


def _write_study(root: Path, spec: dict) -> Study:
    cb = {
        "format_version": 1,
        "name": "Rond",
        "groups": {"theme": {"label": "Thema's"}, "motive": {"label": "Motieven"}},
        "codes": spec["codes"],
    }
    atomic_write_text(root / "codebooks" / "rond.yaml", dump_yaml(cb))
    atomic_write_text(root / "grondmotief.yaml", "codebook: rond\n")
    for t in spec["transcripts"]:
        meta = FrontMatter(id=t["id"], title=t["title"], attributes=t["attributes"], interviewed=t["interviewed"])
        atomic_write_text(root / "interviews" / f"{t['id']}.md", render_transcript(meta, t["turns"]))
    study = Study.open(root)
    rnd = spec["seed"]
    segments = [s for t in study.transcripts.values() for s in t.segments]
    for coder in CODERS[: rnd.randint(1, 3)]:
        decisions = {}
        for _ in range(rnd.randint(0, 6)):
            seg = rnd.choice(segments)
            code = rnd.choice(study.codebook.order)
            ranges = None
            if rnd.random() < 0.6 and len(seg.text) > 1:
                # One piece, or several separate pieces of the passage (a decision with `spans`).
                ranges = []
                for _ in range(rnd.choice([1, 1, 2, 3])):
                    lo = rnd.randrange(0, len(seg.text) - 1)
                    ranges.append((lo, rnd.randrange(lo + 1, len(seg.text) + 1)))
            memo = rnd.choice(["", "", "besproken", 'twee regels;\nmet "quotes" & <tekens>'])
            decisions[(seg.id, code)] = Decision(
                segment=seg.id,
                code=code,
                decision=rnd.choice(["accepted", "accepted", "rejected"]),
                span=None,
                source="manual",
                coder=coder,
                at=rnd.choice(TIMES),
                memo=memo,
                text_sha=seg.sha,
            ).with_ranges(ranges)
        atomic_write_text(root / "codings" / f"{coder}.jsonl", render_codings(decisions.values()))
    return study


def _codebook(study: Study) -> dict:
    cb = study.codebook
    return {
        cid: (
            c.label,
            c.parent,
            c.group,
            c.spec.definition.strip(),
            c.spec.keywords,
            c.spec.include,
            c.spec.attributes,
            c.spec.color.lower() if c.spec.color else None,
        )
        for cid, c in cb.codes.items()
    } | {
        "(groups)": {g: v.label for g, v in cb.groups.items() if any(c.group == g for c in cb.codes.values())},
        "(order)": cb.order,
    }


def _transcripts(study: Study) -> dict:
    return {
        tid: (
            t.meta.title,
            t.attributes,
            t.meta.interviewed,
            t.meta.speakers,
            [(s.label, s.role, s.text) for s in t.segments],
        )
        for tid, t in study.transcripts.items()
    }


def _accepted(study: Study) -> set:
    out = set()
    for d in study.accepted():
        seg = study.segment(d.segment)
        ranges = None if d.ranges is None or d.ranges == [(0, len(seg.text))] else tuple(d.ranges)
        out.add((d.coder, d.segment, d.code, ranges, d.memo, d.at, d.text_sha))
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(studies())
def test_export_then_import_gives_the_same_study(spec: dict) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        original = _write_study(Path(tmp) / "a", spec)
        qdpx = Path(tmp) / "a.qdpx"
        atomic_write_bytes(qdpx, zip_project(build_project(original, name="rond")))
        target = Path(tmp) / "b"
        (target / "codebooks").mkdir(parents=True)
        atomic_write_text(target / "grondmotief.yaml", "codebook: rond\n")
        notes = import_refi(Study.open(target), qdpx)
        copy = Study.open(target)
        assert _codebook(copy) == _codebook(original), notes
        assert _transcripts(copy) == _transcripts(original), notes
        assert _accepted(copy) == _accepted(original), notes
        assert all(
            json.loads(line)["source"] == "import:qdpx"
            for p in (target / "codings").glob("*.jsonl")
            for line in p.read_text(encoding="utf-8").splitlines()
        )
        # And once more: exporting the imported study gives the same project file.
        again = build_project(copy, name="rond")
        first = build_project(original, name="rond")
        assert again.sources == first.sources
        # The whole .qdpx, byte for byte: every piece of every multi-span decision survives.
        assert zip_project(again) == zip_project(first), notes
