"""The matcher's quick rejections (one regex or set look-up instead of per-length loops) give
exactly what the loops give, on every word of wordfreq's Dutch list and the demo's words,
with the default codebook's rules and the real pipeline's compound splitter."""

from __future__ import annotations

from pathlib import Path

import pytest

from grondmotief.study.folder import Study
from grondmotief.suggest.engine import Engine
from grondmotief.suggest.match import KeywordMatcher
from grondmotief.suggest.results import HEAD, STEM
from grondmotief.suggest.rules import fold

REPO = Path(__file__).resolve().parents[1]


def may_head_loop(m: KeywordMatcher, f: str) -> bool:
    if len(f) < 8 and "-" not in f:
        return False
    for i in range(1, len(f) - 1):
        tail = f[i:]
        if tail in m._head_keys:
            return True
        for length, starts in m._head_stems:
            if len(tail) >= length and tail[:length] in starts:
                return True
    return False


def direct_loop(m: KeywordMatcher, f: str) -> list:
    hits = list(m.exact.get(f, ()))
    for length, stems in m._stems_by_len.items():
        for i, kind in stems.get(f[:length], ()) if len(f) >= length else ():
            hits.append((i, kind if kind == "anchor" or len(f) == length else STEM))
    return hits


def heads_loop(m: KeywordMatcher, f: str, done: set[int]) -> list:
    hits = []
    for length, heads in m._heads.items():
        if len(f) >= length + 3 and f[-length:] in heads and m._modifier(f[:-length]):
            hits += [(i, HEAD) for i in heads[f[-length:]] if i not in done]
    return hits


@pytest.fixture(scope="module")
def matcher() -> KeywordMatcher:
    return Engine(Study.open(REPO)).matcher


@pytest.fixture(scope="module")
def words() -> list[str]:
    from wordfreq import top_n_list

    demo = {
        w.strip(".,;:!?\"'()").lower() for p in (REPO / "interviews").glob("*.md") for w in p.read_text("utf-8").split()
    }
    made = ["subsidieaanvraag", "omgevingsvergunning", "wijkverbinders", "vrijwilligersvergoeding", "a-b", "x"]
    return sorted({fold(w) for w in top_n_list("nl", 30_000)} | {fold(w) for w in demo if w} | set(made))


def test_may_head_as_the_loop(matcher: KeywordMatcher, words: list[str]) -> None:
    got = [w for w in words if matcher._may_head(w)]
    assert got == [w for w in words if may_head_loop(matcher, w)]
    assert len(got) > 100  # the check is not trivially false


def test_direct_as_the_loop(matcher: KeywordMatcher, words: list[str]) -> None:
    assert [matcher._direct(w) for w in words] == [direct_loop(matcher, w) for w in words]
    assert sum(1 for w in words if matcher._direct(w)) > 100


def lemma_hits_loop(m: KeywordMatcher, s: str) -> tuple:
    f = fold(s)
    hits = direct_loop(m, f)
    head = m._head(s) if m._head is not None and may_head_loop(m, f) else None
    done = {i for i, _ in hits}
    if head and fold(head) != f:
        hits += [
            (i, HEAD) for i, k in direct_loop(m, fold(head)) if k != "anchor" and i not in done and m.rules[i].head
        ]
        done.update(i for i, _ in hits)
    return tuple(hits + heads_loop(m, f, done))


def test_lemma_hits_as_the_loops(matcher: KeywordMatcher, words: list[str]) -> None:
    """Compound heads, also those the splitter cannot cut (wijkverbinder), behind the quick checks."""
    got = [matcher.lemma_hits(w) for w in words]
    assert got == [lemma_hits_loop(matcher, w) for w in words]
    assert sum(1 for hits in got if any(k == HEAD for _, k in hits)) > 50
