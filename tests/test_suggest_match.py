"""Matching: lemma keywords, stems, phrases, compound heads, patterns, evidence offsets (real pipeline)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grondmotief.study.folder import Study
from grondmotief.suggest import suggest_study

FIXTURES = Path(__file__).parent / "fixtures" / "suggest"


@pytest.fixture(scope="module")
def found(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    dest = tmp_path_factory.mktemp("match") / "study"
    shutil.copytree(FIXTURES / "study", dest)
    study = Study.open(dest)
    out: dict[str, dict[str, object]] = {}
    for seg, sugg in suggest_study(study, threshold=0.0):
        out[seg.id] = {"text": seg.text, **{s.code: s for s in sugg}}
    return out


def _evidence(found, seg: str, code: str):
    return found[seg][code].evidence


def _rules(found, seg: str, code: str) -> dict[str, str]:
    return {e.text: e.rule for e in _evidence(found, seg, code)}


def test_keywords_match_lemmas_across_inflections(found) -> None:
    partnership = _rules(found, "t1¶2", "partnership")
    assert partnership.get("gemeenten") == "keyword:gemeente"
    subsidies = _rules(found, "t1¶2", "subsidies")
    assert subsidies.get("afrekenen") == "keyword:afrekenen"
    assert subsidies.get("afgerekend") == "keyword:afrekenen"
    lemmas = {e.text: e.lemma for e in _evidence(found, "t1¶2", "subsidies")}
    assert lemmas["afgerekend"] == "afrekenen"


def test_codebook_keywords_are_lemmatised_too(found) -> None:
    # The codebook says "aanvragen"; the text says "aangevraagd".
    assert _rules(found, "t1¶8", "subsidies").get("aangevraagd") == "keyword:aanvragen"


def test_stem_matches_compounds_and_forms(found) -> None:
    rules = _rules(found, "t1¶2", "subsidies")
    assert rules.get("subsidieaanvraag") == "keyword:subsidie*"
    assert rules.get("subsidievoorwaarden") == "keyword:subsidie*"
    assert _rules(found, "t1¶6", "scarcity").get("bezuinigd") == "keyword:bezuinig*"


def test_stem_matching_folds_diacritics(found) -> None:
    assert _rules(found, "t1¶6", "care").get("clienten") == "keyword:cliënt*"


def test_phrases_match_as_phrases_of_lemmas(found) -> None:
    rules = _rules(found, "t1¶4", "partnership")
    assert rules.get("op tijd geïnformeerd") == "phrase:op tijd informeren"
    # Verb-final Dutch: the phrase's words in another order, close together, still count.
    assert rules.get("nemen ons ook niet serieus") == "phrase:serieus nemen"
    exact = next(e for e in _evidence(found, "t1¶4", "partnership") if e.rule == "phrase:op tijd informeren")
    loose = next(e for e in _evidence(found, "t1¶4", "partnership") if e.rule == "phrase:serieus nemen")
    assert exact.kind == "phrase" and loose.kind == "loose"


def test_negations_and_stop_words_are_kept_in_phrases(found) -> None:
    assert _rules(found, "t1¶6", "scarcity").get("geen geld") == "phrase:geen geld"


def test_compound_head_matches_with_lower_weight(found) -> None:
    ev = [e for e in _evidence(found, "t1¶8", "subsidies") if e.text == "prestatieafspraken"]
    assert ev and ev[0].rule == "head:afspraak" and ev[0].kind == "head"
    # A head-only match scores lower than a keyword match.
    head_only = found["t1¶8"]["subsidies"].score
    assert head_only > 0


def test_spacy_token_patterns(found) -> None:
    ev = [e for e in _evidence(found, "t1¶6", "care") if e.rule == "pattern:0"]
    assert [(e.text, e.lemma) for e in ev] == [("Het wijkteam", "het wijkteam")]


def test_evidence_offsets_point_at_the_text(found) -> None:
    checked = 0
    for seg_id, row in found.items():
        text = row["text"]
        for code, s in row.items():
            if code == "text":
                continue
            for e in s.evidence:
                assert 0 <= e.start < e.end <= len(text)
                assert text[e.start : e.end] == e.text, (seg_id, code, e)
                checked += 1
    assert checked >= 12


def test_child_codes_are_suggested_for_the_child_not_the_parent(found) -> None:
    row = found["t1¶6"]
    assert "scarcity" in row
    assert "scarcity-abundance" not in row
    assert {"scarcity-abundance", "abundance"} <= set(found["t1¶10"])


def test_scores_are_ranked_and_bounded(found) -> None:
    for row in found.values():
        scores = [s.score for code, s in row.items() if code != "text"]
        assert all(0.0 < x <= 1.0 for x in scores)
        assert scores == sorted(scores, reverse=True)
    # Several distinct rules score higher than one.
    assert found["t1¶2"]["subsidies"].score > found["t1¶2"]["partnership"].score > 0.0


@pytest.fixture(scope="module")
def split(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    dest = tmp_path_factory.mktemp("split") / "study"
    shutil.copytree(FIXTURES / "split", dest)
    return {seg.id: {s.code: s for s in sugg} for seg, sugg in suggest_study(Study.open(dest), threshold=0.0)}


def test_separable_verbs_match_when_dutch_splits_them(split) -> None:
    ev = split["s1¶2"]["partnership"].evidence  # "Die dacht echt mee"
    assert [(e.text, e.lemma, e.rule) for e in ev] == [("dacht echt mee", "denken mee", "keyword:meedenken")]
    assert [e.text for e in split["s1¶4"]["partnership"].evidence] == ["mee te denken"]
    assert [e.text for e in split["s1¶8"]["access"].evidence] == ["sturen je gewoon door"]
    assert split["s1¶2"]["partnership"].score == split["s1¶8"]["access"].score > 0.35


def test_a_participle_before_a_preposition_is_no_separable_verb(split) -> None:
    assert "access" not in split["s1¶6"]  # "gestuurd door de gemeente"


def test_only_separable_verbs_are_split() -> None:
    from grondmotief.suggest.rules import separable

    assert separable("meedenken") == ("mee", "denken")
    assert separable("opleveren") == ("op", "leveren")
    assert separable("informeren") is None and separable("installeren") is None  # in|formeren: no
    assert separable("verzekeren") is None and separable("subsidie") is None


def test_a_keyword_heads_compounds_the_pipeline_cannot_split(split) -> None:
    ev = split["s1¶10"]["access"].evidence  # "wijkverbinders": verbinder is in no word list
    assert [(e.text, e.rule) for e in ev] == [("wijkverbinders", "head:verbinder")]


def test_an_adjective_heads_no_compound(split) -> None:
    assert "subsidies" not in split["s1¶12"]  # infrastructureel is no kind of structureel
    assert split["s1¶14"]["partnership"].evidence[0].rule == "keyword:informeren"
