"""Hypothesis round trips: codebook and codings survive write → read; anchors survive edits."""

from __future__ import annotations

import string
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grondmotief.core.fileio import dump_yaml
from grondmotief.study.codebook import CodebookFile, lint_codebook
from grondmotief.study.codings import Decision, anchor, parse_codings, render_codings
from grondmotief.study.transcripts import FrontMatter, parse_transcript, render_transcript, text_sha

ids = st.from_regex(r"[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,4})?", fullmatch=True)
words = st.text(alphabet=string.ascii_lowercase + "éëï", min_size=1, max_size=8)
labels = st.text(alphabet=string.ascii_letters + " éü'-", min_size=1, max_size=20).filter(lambda s: s.strip())
sentences = st.lists(words, min_size=1, max_size=12).map(" ".join)


@st.composite
def codebooks(draw):
    n = draw(st.integers(1, 6))
    code_ids = draw(st.lists(ids, min_size=n, max_size=n, unique=True))
    all_keywords = draw(st.lists(words, min_size=0, max_size=3 * n, unique=True))
    codes = []
    for i, cid in enumerate(code_ids):
        codes.append(
            {
                "id": cid,
                "group": draw(st.sampled_from(["theme", "motive"])),
                "label": draw(labels).strip(),
                "definition": draw(sentences),
                "include": draw(st.lists(sentences, max_size=2)),
                "exclude": draw(st.lists(sentences, max_size=2)),
                "examples": draw(st.lists(sentences, max_size=2)),
                "keywords": all_keywords[i * 3 : i * 3 + 3],
                "attributes": draw(
                    st.dictionaries(
                        st.sampled_from(["sphere", "kleur"]), st.sampled_from(["civil", "state"]), max_size=1
                    )
                ),
            }
        )
    return {
        "format_version": 1,
        "name": draw(labels).strip(),
        "language": "nl",
        "groups": {"theme": {"label": "Thema's"}, "motive": {"label": "Motieven"}},
        "codes": codes,
    }


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=codebooks())
def test_codebook_round_trip(tmp_path: Path, data: dict) -> None:
    expected = CodebookFile.model_validate(data)
    path = tmp_path / "cb.yaml"
    path.write_text(dump_yaml(expected.model_dump(mode="json", exclude_defaults=True)), encoding="utf-8")
    codebook, problems = lint_codebook(path)
    assert codebook is not None, problems
    assert [p for p in problems if p.severity == "error"] == []
    assert codebook.data == expected


@st.composite
def decision_sets(draw):
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(["a1", "org07", "x_2"]), st.integers(1, 400), ids),
            min_size=0,
            max_size=30,
            unique=True,
        )
    )
    out = []
    for tid, n, code in keys:
        start = draw(st.integers(0, 50))
        out.append(
            Decision(
                segment=f"{tid}¶{n}",
                code=code,
                decision=draw(st.sampled_from(["accepted", "rejected"])),
                span=draw(st.one_of(st.none(), st.just((start, start + draw(st.integers(0, 80)))))),
                source=draw(st.sampled_from(["manual", "suggest:keyword", "import:qdpx"])),
                score=draw(st.one_of(st.none(), st.floats(0, 1, allow_nan=False).map(lambda f: round(f, 3)))),
                coder="anna",
                at="2026-03-02T10:14:00Z",
                memo=draw(st.text(max_size=30)),
                text_sha=draw(st.text(alphabet="0123456789abcdef", min_size=16, max_size=16)),
            )
        )
    return out


@settings(max_examples=100)
@given(decisions=decision_sets())
def test_codings_round_trip_is_sorted_and_stable(decisions: list[Decision]) -> None:
    text = render_codings(decisions)
    result = parse_codings(text, "codings/anna.jsonl", "anna")
    assert result.problems == []
    assert sorted(result.decisions, key=Decision.sort_key) == sorted(decisions, key=Decision.sort_key)
    assert render_codings(reversed(decisions)) == text  # order of recording does not matter


paragraphs = st.lists(sentences, min_size=2, max_size=8, unique=True)


@settings(max_examples=60)
@given(
    paras=paragraphs,
    inserted=st.lists(sentences, min_size=1, max_size=3),
    pick=st.integers(0, 7),
    where=st.integers(0, 7),
)
def test_reanchoring_after_inserting_paragraphs_before(
    paras: list[str], inserted: list[str], pick: int, where: int
) -> None:
    pick %= len(paras)
    where = min(where, pick)  # insert at or before the decided passage
    meta = FrontMatter(id="t9", speakers={"R": "respondent"})
    before, _ = parse_transcript(render_transcript(meta, [("R", p) for p in paras]), Path("t9.md"))
    assert before is not None
    seg = before.segments[pick]
    end = len(seg.text)
    d = Decision(
        segment=seg.id,
        code="c",
        decision="accepted",
        span=(0, end),
        coder="anna",
        at="2026-01-01T00:00:00Z",
        text_sha=seg.sha,
    )
    edited = paras[:where] + [i for i in inserted if i not in paras] + paras[where:]
    after, _ = parse_transcript(render_transcript(meta, [("R", p) for p in edited]), Path("t9.md"))
    assert after is not None
    [result] = anchor([d], {"t9": after})
    assert result.status in ("ok", "moved")
    new = after.segment(int(result.segment.split("¶")[1]))
    assert new is not None and new.sha == seg.sha
    assert 0 <= d.span[0] <= d.span[1] <= len(new.text)  # offsets stay in bounds


def test_deleted_passage_becomes_an_orphan_not_a_silent_drop() -> None:
    meta = FrontMatter(id="t9", speakers={"R": "respondent"})
    before, _ = parse_transcript(render_transcript(meta, [("R", "een"), ("R", "twee")]), Path("t9.md"))
    d = Decision(
        segment="t9¶2",
        code="c",
        decision="accepted",
        coder="anna",
        at="2026-01-01T00:00:00Z",
        text_sha=text_sha("twee"),
    )
    after, _ = parse_transcript(render_transcript(meta, [("R", "een"), ("R", "drie")]), Path("t9.md"))
    [result] = anchor([d], {"t9": after})
    assert result.status == "orphan"
    assert before is not None
