"""The search core (grondmotief.search): queries, Dutch-aware matching on the suggest cache,
keyword-in-context lines. Expected hits were found by reading the demo interviews."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grondmotief.core.errors import UsageProblem
from grondmotief.search import Matcher, kwic, parse_query
from grondmotief.search.passages import PassageReader
from grondmotief.study.folder import Study

REPO = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("demo") / "study"
    dest.mkdir()
    for part in ("codebooks", "interviews", "codings"):
        shutil.copytree(REPO / part, dest / part)
    return dest


def hits(study: Path, query: str, **kw: bool) -> list[tuple[str, str, str]]:
    """(citation id, matched text, kind) for every match in the study."""
    reader = PassageReader(Study.open(study))
    q = parse_query(query, **kw)
    m = reader.matcher(q)
    out = []
    for tp in reader.read(parse=q.needs_parse):
        got = m.match_parsed(tp.parsed, tp.texts()) if tp.parsed is not None else None
        for seg, key in zip(tp.segments, tp.keys, strict=True):
            found = got.get(key, []) if got is not None else m.match_text(seg.text)
            out += [(seg.id, seg.text[x.start : x.end], x.kind) for x in found]
    return out


def test_query_terms_words_stems_phrases() -> None:
    q = parse_query('wachtlijst Subsidie* "aan  Tafel" wachtlijst')
    assert [t.text for t in q.terms] == ["wachtlijst", "subsidie*", "aan tafel"]
    assert [(t.stem, t.phrase) for t in q.terms] == [(False, False), (True, False), (False, True)]
    assert parse_query("'s avonds").terms[0].text == "'s"
    for bad in ("", '"aan tafel', "*"):
        with pytest.raises(UsageProblem):
            parse_query(bad)
    with pytest.raises(UsageProblem, match="regular expression"):
        parse_query("wacht(", regex=True)


def test_a_word_finds_its_plural(demo: Path) -> None:
    got = hits(demo, "wachtlijst")
    assert [(s, t) for s, t, _ in got] == [
        ("org01¶18", "wachtlijst"),
        ("org05¶20", "wachtlijst"),
        ("org09¶14", "wachtlijst"),
        ("org09¶20", "wachtlijsten"),
        ("org10¶20", "wachtlijsten"),
        ("org11¶32", "wachtlijst"),
        ("org12¶28", "wachtlijst"),
    ]


def test_a_separable_verb_finds_its_forms_and_split_forms(demo: Path) -> None:
    assert hits(demo, "meedenken") == [
        ("org01¶22", "meedenken", "keyword"),
        ("org03¶26", "denkt niet mee", "split"),  # "een onderaannemer levert, die denkt niet mee"
        ("org05¶4", "meegedacht", "keyword"),
        ("org07¶8", "dacht echt mee", "split"),  # "(lacht) Die dacht echt mee."
        ("org08¶26", "meedenken", "keyword"),
        ("org10¶22", "meegedacht", "keyword"),
        ("org11¶16", "meedenken", "keyword"),
        ("org11¶20", "meedenkt", "keyword"),
        ("org14¶28", "meedenken", "keyword"),
    ]


def test_exact_finds_only_the_form_typed(demo: Path) -> None:
    assert [(s, t) for s, t, _ in hits(demo, "wachtlijsten", exact=True)] == [
        ("org09¶20", "wachtlijsten"),
        ("org10¶20", "wachtlijsten"),
    ]
    assert not any(t == "dacht echt mee" for _, t, _ in hits(demo, "meedenken", exact=True))


def test_regex_and_all_terms_must_occur(demo: Path) -> None:
    assert {s for s, _, _ in hits(demo, r"wachtlijst(en)?\b", regex=True)} == {
        s for s, _, _ in hits(demo, "wachtlijst")
    }
    both = hits(demo, "wachtlijst vrijwilliger")
    assert {s for s, _, _ in both} < {s for s, _, _ in hits(demo, "wachtlijst")}
    assert {t.lower() for _, t, _ in both} >= {"wachtlijst", "vrijwilliger"}


def test_a_phrase_and_a_stem(demo: Path) -> None:
    assert ("org03¶26", "aan tafel", "phrase") in hits(demo, '"aan tafel"')
    stems = {t.lower() for _, t, _ in hits(demo, "prestatie*")}
    assert "prestatieafspraak" in stems


def test_kwic_cuts_context_at_words() -> None:
    text = "Het wijkteam heeft een wachtlijst, die hebben het\nontzettend druk, dat snap ik ook wel."
    m = Matcher(parse_query("wachtlijst", exact=True)).match_text(text)[0]
    line = kwic(text, m, 20)
    assert line.match == "wachtlijst"
    assert line.left == "…wijkteam heeft een "
    assert line.right == ", die hebben het…"
    assert "\n" not in line.plain()


def test_a_warm_search_does_not_import_spacy(demo: Path) -> None:
    hits(demo, "meedenken")  # warms the cache (this process may load spaCy)
    code = (
        "import json, sys\n"
        "from grondmotief.search import parse_query\n"
        "from grondmotief.search.passages import PassageReader\n"
        "from grondmotief.study.folder import Study\n"
        f"r = PassageReader(Study.open({str(demo)!r}))\n"
        "m = r.matcher(parse_query('meedenken'))\n"
        "n = sum(len(m.match_parsed(tp.parsed, tp.texts())) for tp in r.read())\n"
        "print(json.dumps([n, r.parsed_transcripts, 'spacy' in sys.modules, 'numpy' in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    # A small study's cached tokens are read as Python arrays (suggest/parse_lists.py): no numpy either.
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [9, 0, False, False]


@pytest.mark.parametrize(
    "query", ["wachtlijst", "meedenken", "subsidie*", '"aan tafel"', "doorsturen", "vrijwilliger gemeente"]
)
def test_tokens_read_as_lists_match_as_numpy_arrays_do(demo: Path, query: str) -> None:
    from grondmotief.suggest import parse_lists
    from grondmotief.suggest.parse import Parsed

    reader = PassageReader(Study.open(demo))
    m = reader.matcher(parse_query(query))
    checked = 0
    for tp in reader.read():
        arrays = tp.parsed if isinstance(tp.parsed, Parsed) else Parsed.from_bytes(*tp.parsed.to_bytes())
        lists = parse_lists.from_bytes(*arrays.to_bytes())
        assert lists.keys == arrays.keys and lists.strings == arrays.strings
        for name in ("bounds", "starts", "ends", "lemma", "lower"):
            assert getattr(lists, name).tolist() == getattr(arrays, name).tolist()
        for k in tp.keys:
            assert lists.span(k) == arrays.span(k)
        texts = tp.texts()
        got = m.match_parsed(lists, texts)
        assert got == m.match_parsed(arrays, texts)
        checked += sum(len(v) for v in got.values())
    assert checked > 0


def test_inconsistent_cached_tokens_are_refused_by_both_readers(demo: Path) -> None:
    from grondmotief.suggest import parse_lists
    from grondmotief.suggest.parse import Parsed

    tp = next(iter(PassageReader(Study.open(demo)).read()))
    header, payload = Parsed.from_bytes(*tp.parsed.to_bytes()).to_bytes()
    cut = header["strings_len"]
    broken = [
        (dict(header, format=99), payload),
        (dict(header, n_strings=header["n_strings"] + 1), payload),
        (header, payload[:-1]),
        (header, payload[:-4]),
        (header, payload[:cut] + (7).to_bytes(4, "little") + payload[cut + 4 :]),  # bounds[0] != 0
        (header, payload[:-4] + (10**6).to_bytes(4, "little")),  # a lower-case form beyond the strings
    ]
    for h, p in broken:
        for reader in (Parsed.from_bytes, parse_lists.from_bytes):
            with pytest.raises(ValueError):
                reader(h, p)
