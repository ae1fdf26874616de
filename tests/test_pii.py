"""The personal-data scan: contact details and identifiers, Dutch person names, study name lists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grondmotief.privacy.detector import kinds, scan_text
from grondmotief.privacy.names import find_person_names
from grondmotief.study.folder import Study
from grondmotief.study.settings import PrivacySettings

EVAL = Path(__file__).parent / "fixtures" / "pii" / "names_eval.txt"
REPO = Path(__file__).parent.parent


def found(text: str, privacy: PrivacySettings | None = None) -> list[tuple[str, str]]:
    return [(f.kind, text[f.start : f.end]) for f in scan_text(text, privacy)]


@pytest.mark.parametrize(
    ("text", "kind", "match"),
    [
        ("Mail gerust naar j.jansen@voorbeeld.nl hoor.", "e-mail address", "j.jansen@voorbeeld.nl"),
        ("Bel 06-12345678 maar.", "phone number", "06-12345678"),
        ("Het nummer is 020 123 4567.", "phone number", "020 123 4567"),
        ("Of +31 (0)6 1234 5678 voor spoed.", "phone number", "+31 (0)6 1234 5678"),
        ("Wij zitten op 1234 AB in het dorp.", "postcode", "1234 AB"),
        ("Maak het over op NL91 ABNA 0417 1643 00.", "IBAN", "NL91 ABNA 0417 1643 00"),
        ("Kijk op www.buurthuis-voorbeeld.nl voor meer.", "URL", "www.buurthuis-voorbeeld.nl"),
        ("Zie https://example.org/pagina.", "URL", "https://example.org/pagina."),
        ("Volg ons op @buurthuis_noord.", "social-media handle", "@buurthuis_noord"),
        ("Zijn BSN is 111222333.", "BSN-like number", "111222333"),
    ],
)
def test_detectors(text: str, kind: str, match: str) -> None:
    assert (kind, match) in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "In 2023 hadden we 250 vrijwilligers en 1.200 deelnemers.",
        "Het budget was 150000 euro, en 123456789 is geen geldig BSN.",
        "We draaien dit al 12 jaar, sinds 2011.",
        "Dat staat in artikel 2.3 van de Wmo 2015.",
    ],
)
def test_numbers_are_not_personal_data(text: str) -> None:
    assert found(text) == []


def test_nested_findings_collapse_to_the_outer_one() -> None:
    text = "Mail info@voorbeeld.nl"
    assert found(text) == [("e-mail address", "info@voorbeeld.nl")]  # not also the domain as a URL
    assert kinds(scan_text(text)) == "e-mail address"


def test_forbidden_and_allowed_names() -> None:
    privacy = PrivacySettings(forbidden_names=["Gerda  Klompmaker", "Xandra"], allowed_names=["Anneke"])
    text = "Toen zei gerda klompmaker dat XANDRA kwam, en Anneke ook."
    got = found(text, privacy)
    assert ("forbidden name", "gerda klompmaker") in got and ("forbidden name", "XANDRA") in got
    assert not any(m == "Anneke" for _, m in got)  # a listed pseudonym is fine
    assert ("person name", "Anneke") in found(text)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Toen belde mevrouw De Vries terug.", ["De Vries"]),
        ("Ik vroeg het aan dhr. Jansen en aan de heer Visser.", ["Jansen", "Visser"]),
        ("Anna van der Berg en Jan-Willem deden mee.", ["Anna van der Berg", "Jan-Willem"]),
        ("Ben je er morgen? Wil je koffie?", []),
        ("Ben Hendriks schreef de aanvraag.", ["Ben Hendriks"]),
        ("In het Frans heet dat anders, zegt Frans Bakker.", ["Frans Bakker"]),
        ("Sint Maarten, Zwarte Piet en Prinses Beatrix.", []),
        ("De wethouder Zorg en Welzijn, niet wethouder Jansen.", ["Jansen"]),
        ("Van Weidebroek naar Kortedijk, met De Zonnebloem en de Wmo.", []),
        ("Hij komt uit Den Bosch, zij uit Den Haag. Ik sprak Van Dijk.", ["Van Dijk"]),
        ("Dat vond ik. Daarna zei meneer. Die wist het.", []),
    ],
)
def test_person_names(text: str, names: list[str]) -> None:
    assert [text[f.start : f.end] for f in find_person_names(text)] == names


def load_eval(path: Path) -> list[tuple[str, list[tuple[int, int]]]]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        gold, text, pos = [], "", 0
        for m in re.finditer(r"\[\[(.+?)\]\]", line):
            text += line[pos : m.start()]
            gold.append((len(text), len(text) + len(m.group(1))))
            text += m.group(1)
            pos = m.end()
        items.append((text + line[pos:], gold))
    return items


def precision_recall() -> tuple[float, float, int, int]:
    items = load_eval(EVAL)
    hit_pred = n_pred = hit_gold = n_gold = 0
    for text, gold in items:
        pred = [(f.start, f.end) for f in find_person_names(text)]
        n_pred += len(pred)
        n_gold += len(gold)
        hit_pred += sum(1 for s, e in pred if any(s < ge and gs < e for gs, ge in gold))
        hit_gold += sum(1 for gs, ge in gold if any(s < ge and gs < e for s, e in pred))
    return hit_pred / max(n_pred, 1), hit_gold / max(n_gold, 1), n_gold, len(items)


def test_name_scan_precision_and_recall_on_hand_made_set() -> None:
    precision, recall, n_gold, n_items = precision_recall()
    assert n_items >= 80 and n_gold >= 40
    # Measured: precision 1.00, recall 0.84 (misses are names missing from the shipped lists).
    assert precision >= 0.95, precision
    assert recall >= 0.80, recall


def test_demo_interviews_have_no_personal_data() -> None:
    """The demo study is anonymised speech: capitalised sentence starts, places and 'Wmo' are not names."""
    study = Study.open(REPO)
    flagged = [
        (seg.id, kinds(scan_text(seg.text, study.settings.privacy)))
        for t in study.transcripts.values()
        for seg in t.segments
        if scan_text(seg.text, study.settings.privacy)
    ]
    assert len(study.transcripts) >= 10
    assert flagged == []


# export --format csv|json: the same screen as quote and report ---------------------------------------
ANALYSIS = Path(__file__).parent / "fixtures" / "analysis"


@pytest.fixture
def analysis_study(tmp_path: Path) -> Path:
    import shutil

    dest = tmp_path / "study"
    shutil.copytree(ANALYSIS, dest, ignore=shutil.ignore_patterns("golden", "chapters"))
    return dest


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_withholds_flagged_quotes(cli, analysis_study: Path, fmt: str) -> None:
    import csv
    import io
    import json

    r = cli("export", "--format", fmt, "--study", str(analysis_study))
    assert r.exit_code == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout))) if fmt == "csv" else json.loads(r.stdout)
    quotes = {row["citation"]: row["quote"] for row in rows}
    assert quotes["org01¶6"] == "" and quotes["org03¶4"] == ""  # e-mail address; a forbidden name
    assert quotes["org01¶4"].startswith("Voor het toernooi")  # the rest is untouched
    assert "info@" not in r.stdout and "Klompmaker" not in r.stdout
    warnings = [line for line in r.stderr.splitlines() if "quote left empty" in line]
    assert len(warnings) == 2  # one per passage, not per row
    assert "org01¶6: quote left empty in the export: may contain personal data (e-mail address)" in warnings[0]
    assert "org03¶4" in warnings[1] and "forbidden name" in warnings[1]
    assert "info@" not in r.stderr and "Klompmaker" not in r.stderr
    shown = cli("export", "--format", fmt, "--allow-flagged", "--study", str(analysis_study))
    assert "info@buurtsport-voorbeeld.nl" in shown.stdout and "quote left empty" not in shown.stderr
