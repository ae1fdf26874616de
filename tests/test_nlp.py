"""The offline Dutch pipeline, tested for real: no mocks of spaCy or of the word lists."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from grondmotief.core.errors import NlpError
from grondmotief.nlp.pipeline import DEFAULT_PIPELINE, compound_head, lemmatize, load_pipeline, pipeline_version

GOLD = Path(__file__).parent / "data" / "lemmas.tsv"
CATEGORIES = {
    "plural-noun",
    "diminutive",
    "participle-separable",
    "participle-irregular",
    "verb-form",
    "compound",
    "adjective",
    "other",
}


def _gold() -> list[tuple[str, str, str]]:
    rows = []
    for n, line in enumerate(GOLD.read_text(encoding="utf8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        form, lemma, category = line.split("\t")
        assert category in CATEGORIES, f"lemmas.tsv:{n}: unknown category {category!r}"
        rows.append((form, lemma, category))
    return rows


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline()


def _tokens(nlp, text: str) -> list[str]:
    return [t.text for t in nlp(text)]


def _lemma_of(nlp, text: str, word: str) -> str:
    matches = [t.lemma_ for t in nlp(text) if t.text == word]
    assert matches, f"{word!r} is not a token of {text!r}"
    return matches[0]


# -- (1) lemma accuracy -------------------------------------------------------------------


def _accuracy(predicted: list[str], rows: list[tuple[str, str, str]]) -> tuple[float, dict[str, float]]:
    right, total = Counter(), Counter()
    for guess, (_, gold, category) in zip(predicted, rows, strict=True):
        total[category] += 1
        right[category] += guess == gold
    per_category = {c: right[c] / total[c] for c in sorted(total)}
    return sum(right.values()) / len(rows), per_category


def test_gold_set_is_big_and_covers_every_category():
    rows = _gold()
    assert len(rows) >= 170
    assert {c for _, _, c in rows} == CATEGORIES
    forms = [f for f, _, _ in rows]
    assert len(forms) == len(set(forms)), "a form is annotated twice"


def test_lemma_accuracy_beats_threshold_and_stock_lookup(nlp):
    import spacy

    rows = _gold()
    forms = [form for form, _, _ in rows]
    ours = [doc[0].lemma_ if len(doc) == 1 else doc.text for doc in nlp.pipe(forms)]

    stock = spacy.blank("nl")
    stock.add_pipe("lemmatizer", config={"mode": "lookup"})
    stock.initialize()
    baseline = [doc[0].lemma_.lower() if len(doc) == 1 else doc.text for doc in stock.pipe(forms)]

    overall, per_category = _accuracy(ours, rows)
    base_overall, base_per_category = _accuracy(baseline, rows)
    misses = [f"{f}: {g} != {p}" for (f, g, _), p in zip(rows, ours, strict=True) if g != p]
    report = (
        f"grondmotief-nl {overall:.3f} on {len(rows)} forms vs stock spaCy lookup table {base_overall:.3f}\n"
        + "\n".join(f"  {c:22} {per_category[c]:.3f}  (lookup {base_per_category[c]:.3f})" for c in per_category)
        + "\n  misses: "
        + "; ".join(misses)
    )
    print(report)
    assert overall >= 0.93, report
    assert overall >= base_overall + 0.15, report  # the cascade must add a lot to the table
    assert min(per_category.values()) >= 0.85, report


def test_lemmatize_agrees_with_the_pipeline_on_isolated_words(nlp):
    forms = [form for form, _, _ in _gold()]
    in_pipeline = [doc[0].lemma_ for doc in nlp.pipe(forms)]
    assert [lemmatize(f) for f in forms] == in_pipeline


def test_lemmas_are_lower_case_and_set_for_every_token(nlp):
    doc = nlp("Gemeenten en Vrijwilligers: 12 ANBI-aanvragen, zie www.gemeente.nl!")
    assert all(t.lemma_ for t in doc)
    assert all(t.lemma_ == t.lemma_.lower() for t in doc)
    assert _lemma_of(nlp, "Gemeenten helpen", "Gemeenten") == "gemeente"
    assert _lemma_of(nlp, "De subsidieaanvragen.", "subsidieaanvragen") == "subsidieaanvraag"


def test_noun_verb_homographs_follow_the_context(nlp):
    assert _lemma_of(nlp, "De aanvragen zijn binnen.", "aanvragen") == "aanvraag"
    assert _lemma_of(nlp, "Dan moeten we aanvragen.", "aanvragen") == "aanvragen"
    assert _lemma_of(nlp, "Moeten we aanvragen?", "aanvragen") == "aanvragen"
    assert _lemma_of(nlp, "Het aanvragen kost tijd.", "aanvragen") == "aanvragen"
    assert _lemma_of(nlp, "Het werk is zwaar.", "werk") == "werk"
    assert _lemma_of(nlp, "Ik werk hard.", "werk") == "werken"
    assert _lemma_of(nlp, "We namen contact op.", "namen") == "nemen"
    assert _lemma_of(nlp, "Zonder namen graag.", "namen") == "naam"
    assert _lemma_of(nlp, "In veel gevallen lukt het.", "gevallen") == "geval"
    assert _lemma_of(nlp, "Hij is gevallen.", "gevallen") == "vallen"
    assert _lemma_of(nlp, "Ik en hem niet.", "en") == "en"  # function words never turn into verbs


# -- (2) tokenizer ------------------------------------------------------------------------


def test_slash_between_words_splits_but_not_in_urls_or_dates(nlp):
    assert _tokens(nlp, "zorg/welzijn") == ["zorg", "/", "welzijn"]
    assert "t/m" in _tokens(nlp, "maandag t/m vrijdag")
    assert "https://www.gemeente.nl/subsidie/aanvraag" in _tokens(nlp, "zie https://www.gemeente.nl/subsidie/aanvraag")
    assert "10/12" in _tokens(nlp, "op 10/12 open")


@pytest.mark.parametrize("elision", ["(…)", "(...)"])
def test_elision_is_one_token(nlp, elision):
    assert _tokens(nlp, f"Ja {elision} dat was lastig.")[1] == elision
    assert _tokens(nlp, f"zei {elision}, en toen")[1:3] == [elision, ","]


@pytest.mark.parametrize(("abbr", "month"), [("jan.", "januari"), ("feb.", "februari"), ("sept.", "september")])
def test_month_abbreviations_keep_their_period(nlp, abbr, month):
    doc = nlp(f"Op 3 {abbr} 2023 begonnen we.")
    assert [t.text for t in doc][2] == abbr
    assert doc[2].lemma_ == month
    assert len(list(doc.sents)) == 1


def test_a_name_at_the_end_of_a_sentence_keeps_its_full_stop(nlp):
    doc = nlp("Ik sprak Jan. Hij was blij. Ik weet dat. Dat is zo.")
    assert [s.text for s in doc.sents] == ["Ik sprak Jan.", "Hij was blij.", "Ik weet dat.", "Dat is zo."]


@pytest.mark.parametrize("abbr", ["d.w.z.", "o.a.", "m.b.t."])
def test_dotted_abbreviations_stay_whole(nlp, abbr):
    doc = nlp(f"Dat is {abbr} de gemeente.")
    assert doc[2].text == abbr
    assert len(list(doc.sents)) == 1


@pytest.mark.parametrize("apostrophe", ["'", "\u2019"])
def test_apostrophe_forms(nlp, apostrophe):
    text = f"{apostrophe}s avonds komen de auto{apostrophe}s, zo{apostrophe}n dag."
    tokens = _tokens(nlp, text)
    assert tokens[:2] == [f"{apostrophe}s", "avonds"]
    assert f"auto{apostrophe}s" in tokens
    assert f"zo{apostrophe}n" in tokens
    lemmas = {t.text: t.lemma_ for t in nlp(text)}
    assert lemmas["avonds"] == "avond"
    assert lemmas[f"auto{apostrophe}s"] == "auto"
    assert lemmas[f"zo{apostrophe}n"] == "zo'n"


# -- (3) sentences ------------------------------------------------------------------------


def test_paragraph_break_is_always_a_sentence_boundary(nlp):
    doc = nlp("Eerste alinea zonder punt\n\nTweede alinea, ook zonder punt\n\n\nDerde. En vierde")
    sents = [s.text.strip() for s in doc.sents]
    assert sents == ["Eerste alinea zonder punt", "Tweede alinea, ook zonder punt", "Derde.", "En vierde"]


def test_whitespace_stays_with_the_sentence_before(nlp):
    doc = nlp("Dat was het.\n\nNieuwe alinea.")
    sents = list(doc.sents)
    assert [s[0].text for s in sents] == ["Dat", "Nieuwe"]


def test_single_newline_is_not_a_boundary(nlp):
    assert len(list(nlp("een zin die\nverder gaat").sents)) == 1


# -- (4) compounds ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lemma", "head"),
    [
        ("prestatieafspraak", "afspraak"),
        ("vrijwilligerswerkbeleid", "beleid"),
        ("subsidieaanvraag", "aanvraag"),
        ("beleidsmedewerker", "medewerker"),
        ("evenementenvergunning", "vergunning"),
        ("aansprakelijkheidsverzekering", "verzekering"),
        ("wijkteam", "team"),
        ("gemeentehuis", "huis"),
        ("bestuurslid", "lid"),
        ("schuldhulpverlening", "hulpverlening"),
    ],
)
def test_compound_head(lemma, head):
    assert compound_head(lemma) == head


@pytest.mark.parametrize(
    "lemma", ["gemeente", "lokaal", "vergadering", "samenwerking", "verzekering", "afspraak", "vrijwilliger", ""]
)
def test_not_a_compound(lemma):
    assert compound_head(lemma) is None


def test_gm_head_extension_on_tokens(nlp):
    doc = nlp("De prestatieafspraken en wijkteams, en de gemeente.")
    heads = {t.text: t._.gm_head for t in doc}
    assert heads["prestatieafspraken"] == "afspraak"
    assert heads["wijkteams"] == "team"
    assert heads["gemeente"] is None


# -- (5) other pipelines ------------------------------------------------------------------


def test_missing_pipeline_package_says_how_to_install_and_switch_back():
    with pytest.raises(NlpError) as info:
        load_pipeline("nl_core_news_md_not_installed")
    message = str(info.value)
    assert "python -m spacy download nl_core_news_md_not_installed" in message
    assert "pip install" in message
    assert f"nlp: {{pipeline: {DEFAULT_PIPELINE}}}" in message
    with pytest.raises(NlpError, match="spacy download"):
        pipeline_version("nl_core_news_md_not_installed")


def test_missing_pipeline_folder(tmp_path):
    with pytest.raises(NlpError, match=DEFAULT_PIPELINE):
        load_pipeline(str(tmp_path / "nowhere"))


def _tiny_pipeline(folder: Path, version: str) -> Path:
    import spacy

    nlp = spacy.blank("nl")
    nlp.meta.update({"name": "tiny", "version": version})
    nlp.to_disk(folder)
    return folder


def test_pipeline_folder_loads_and_is_cached(tmp_path):
    path = str(_tiny_pipeline(tmp_path / "tiny", "0.0.1"))
    nlp = load_pipeline(path)
    assert nlp.meta["name"] == "tiny"
    assert load_pipeline(path) is nlp
    assert load_pipeline() is load_pipeline(DEFAULT_PIPELINE)


# -- (6) versions -------------------------------------------------------------------------


def test_pipeline_version_is_stable_and_tells_pipelines_apart(tmp_path):
    first = pipeline_version()
    assert first == pipeline_version(DEFAULT_PIPELINE) == pipeline_version()
    for part in ("spacy==", "spacy-lookups-data==", "simplemma=="):
        assert part in first
    one = str(_tiny_pipeline(tmp_path / "one", "0.0.1"))
    two = str(_tiny_pipeline(tmp_path / "two", "0.0.2"))
    assert pipeline_version(one) == pipeline_version(one)
    assert len({first, pipeline_version(one), pipeline_version(two)}) == 3
    meta = json.loads((Path(one) / "meta.json").read_text())
    assert f"nl_tiny=={meta['version']}" in pipeline_version(one)


def test_version_and_keyword_lemmas_do_not_import_spacy():
    import os
    import subprocess
    import sys

    code = (
        "import sys; from grondmotief.nlp import pipeline as nlp; nlp.pipeline_version(); nlp.lemmatize('gemeenten'); "
        "nlp.compound_head('prestatieafspraak'); print('spacy' in sys.modules)"
    )
    src = str(Path(__file__).parent.parent / "src")
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, "PYTHONPATH": src}, check=True
    )
    assert out.stdout.strip() == "False"
