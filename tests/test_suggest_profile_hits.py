"""The whole-transcript profile evidence (profile_hits.py, numpy) against the rule written as a
plain loop, passage by passage: same codes, same sums to the last bit, same evidence."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from grondmotief.study.folder import Study
from grondmotief.suggest.engine import LONG, PROFILE_EVIDENCE, PROFILE_WEIGHT, Engine, transcript_files
from grondmotief.suggest.results import Evidence
from grondmotief.suggest.rules import fold

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "fixtures" / "suggest"))


def reference(engine: Engine, parsed, key: str, text: str) -> dict[str, tuple[float, list[Evidence]]]:
    """Each distinct folded lemma of the passage once, at its first token; per code the sum of
    its weights and its PROFILE_EVIDENCE strongest words (earlier on a tie), in text order."""
    pm = engine.profile_hits.pm
    lo, hi = parsed.span(key)
    seen: set[str] = set()
    total: dict[str, float] = {}
    items: dict[str, list[tuple[float, int, str]]] = {}
    for t in range(lo, hi):
        lemma = parsed.strings[parsed.lemma[t]]
        folded = fold(lemma)
        hit = pm.lookup(folded)
        if hit is None or folded in seen:
            continue
        seen.add(folded)
        word, entries, share = hit
        for e in entries:
            w = e.weight * share
            total[e.code] = total.get(e.code, 0.0) + w
            items.setdefault(e.code, []).append((w, t, f"{e.field}:{word}"))
    damp = ((hi - lo) / LONG) ** 0.5 if hi - lo > LONG else 1.0
    out = {}
    for code, got in items.items():
        got.sort(key=lambda p: (-abs(p[0]), int(parsed.starts[p[1]])))
        shown = []
        for _, t, label in got[:PROFILE_EVIDENCE]:
            s, e = int(parsed.starts[t]), int(parsed.ends[t])
            shown.append(Evidence(text[s:e], parsed.strings[parsed.lemma[t]], s, e, label, "profile"))
        shown.sort(key=lambda ev: (ev.start, ev.rule))
        out[code] = (PROFILE_WEIGHT * total[code] / damp, shown)
    return out


def _compare(root: Path) -> int:
    engine = Engine(Study.open(root))
    n = 0
    for path, expect in transcript_files(engine.study):
        f = engine.open_file(path, expect)
        parsed, _ = engine.ensure_parsed(f)
        texts = {k: s.text for k, s in zip(f.keys, f.segs, strict=True)}
        fast = engine.profile_hits.evidence(parsed, texts)
        for key, text in texts.items():
            want = reference(engine, parsed, key, text)
            assert fast.get(key, {}) == want, f"{path.name}: passage {key}"
            n += len(want)
    return n


def test_demo_study_matches_the_plain_loop(tmp_path: Path) -> None:
    for folder in ("interviews", "codebooks"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    (tmp_path / "grondmotief.yaml").write_text("format_version: 1\ncodebook: grondmotieven\n", encoding="utf-8")
    assert _compare(tmp_path) > 1000  # passages × codes with profile evidence


def test_dev_set_matches_the_plain_loop(tmp_path: Path) -> None:
    import heldout_eval

    items = heldout_eval.rows(heldout_eval.HERE / "dev" / "passages.jsonl")
    root, _ = heldout_eval.make_study(tmp_path / "dev", items)
    assert _compare(root) > 500


@pytest.mark.parametrize("text", ["", "de de de", "Subsidie subsidie SUBSIDIE en de subsidieaanvraag"])
def test_edge_passages(tmp_path: Path, text: str) -> None:
    """No tokens, no hits, one lemma repeated in other cases (counted once)."""
    for folder in ("codebooks",):
        shutil.copytree(REPO / folder, tmp_path / folder)
    (tmp_path / "interviews").mkdir()
    (tmp_path / "grondmotief.yaml").write_text("format_version: 1\ncodebook: grondmotieven\n", encoding="utf-8")
    body = f"I: Vraag?\n\nR: {text}\n\nR: En verder de verantwoording van de subsidie.\n" if text else "I: Vraag?\n"
    (tmp_path / "interviews" / "t1.md").write_text(
        f"---\nid: t1\ntitle: T\nspeakers: {{I: interviewer, R: respondent}}\n---\n{body}", encoding="utf-8"
    )
    _compare(tmp_path)
