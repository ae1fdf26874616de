"""`grondmotief find` end to end on a copy of the demo study; expected hits found by reading it."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from conftest import REPO, run_cli


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("find") / "study"
    dest.mkdir()
    for part in ("codebooks", "interviews", "codings"):
        shutil.copytree(REPO / part, dest / part)
    return dest


def find(study: Path, *args: str) -> list[dict]:
    r = run_cli("find", "--study", str(study), *args, "--format", "json")
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def test_compounds_plurals_and_attribution(demo: Path) -> None:
    got = find(demo, "wachtlijst")
    assert [(h["id"], h["match"]) for h in got] == [
        ("org01¶18", "wachtlijst"),
        ("org05¶20", "wachtlijst"),
        ("org09¶14", "wachtlijst"),
        ("org09¶20", "wachtlijsten"),  # "De thuiszorg heeft wachtlijsten, de dagbesteding zit vol."
        ("org10¶20", "wachtlijsten"),
        ("org11¶32", "wachtlijst"),
        ("org12¶28", "wachtlijst"),
    ]
    h = got[3]
    assert h["attribution"] == "organisatie rond vrijwilligerswerk, zorg"
    assert h["left"].endswith("De thuiszorg heeft ") and h["right"].startswith(", de dagbesteding")
    # a compound the word heads: "voorleesvrijwilligers" (org06¶2) for vrijwilliger
    assert any(x["match"] == "voorleesvrijwilligers" and x["kind"] == "head" for x in find(demo, "vrijwilliger"))


def test_split_verbs(demo: Path) -> None:
    got = {(h["id"], h["match"], h["kind"]) for h in find(demo, "meedenken")}
    assert ("org07¶8", "dacht echt mee", "split") in got
    assert ("org03¶26", "denkt niet mee", "split") in got
    assert len(got) == 9


def test_filters_as_quote(demo: Path) -> None:
    # anna coded the care theme on three of the seven wachtlijst passages and org05¶20
    care = [h["id"] for h in find(demo, "wachtlijst", "--code", "care", "--coder", "anna")]
    assert care == ["org01¶18", "org05¶20", "org09¶20", "org10¶20"]
    assert [h["id"] for h in find(demo, "wachtlijst", "--where", "sector=zorg")] == ["org09¶14", "org09¶20"]
    assert [h["id"] for h in find(demo, "wachtlijst", "--transcript", "org11")] == ["org11¶32"]
    uncoded = find(demo, "vrijwilliger", "--uncoded", "--coder", "anna")
    # anna marked these "nothing applies" (_none) or left them: no accepted code
    bare = ["org03¶2", "org06¶2", "org08¶2", "org09¶2", "org09¶3", "org10¶2", "org12¶2", "org14¶34"]
    assert sorted({h["id"] for h in uncoded}) == sorted(bare)
    everything = {h["id"] for h in find(demo, "vrijwilliger", "--coder", "anna")}
    assert set(bare) < everything


def test_exact_regex_and_count(demo: Path) -> None:
    assert [h["id"] for h in find(demo, "wachtlijsten", "--exact")] == ["org09¶20", "org10¶20"]
    assert [h["match"] for h in find(demo, r"wacht\w+en\b", "--regex")] == ["wachtlijsten", "wachtlijsten"]
    r = run_cli("find", "--study", str(demo), "meedenken", "--count", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert {x["transcript"]: x["matches"] for x in rows}["org11"] == "2"
    assert sum(int(x["matches"]) for x in rows) == 9


def test_text_and_md_formats(demo: Path) -> None:
    r = run_cli("find", "--study", str(demo), "wachtlijst", "--transcript", "org09", "--width", "20")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert len(lines) == 2 and "\x1b" not in r.stdout  # no colour into a pipe
    assert lines[1].startswith("org09¶20") and "heeft wachtlijsten, de" in lines[1]
    assert lines[0].index("wachtlijst") == lines[1].index("wachtlijst")  # matches aligned
    assert "2 match(es) in 2 of" in r.stderr
    md = run_cli("find", "--study", str(demo), "wachtlijst", "-t", "org09", "-f", "md").stdout
    assert md.splitlines()[1].startswith("- **org09¶20** (organisatie rond vrijwilligerswerk, zorg): ")
    assert "heeft **wachtlijsten**, de" in md


def test_personal_data_is_withheld(tmp_path: Path, demo: Path) -> None:
    study = tmp_path / "s"
    shutil.copytree(demo, study, ignore=shutil.ignore_patterns(".grondmotief"))
    path = study / "interviews" / "org09.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "heeft wachtlijsten,", "heeft wachtlijsten, mail j.jansen@example.nl,"
        ),
        encoding="utf-8",
    )
    r = run_cli("find", "--study", str(study), "wachtlijst", "-t", "org09", "-f", "json")
    assert [h["id"] for h in json.loads(r.stdout)] == ["org09¶14"]
    assert "org09¶20 withheld: may contain personal data" in r.stderr and "jansen" not in r.stderr
    r = run_cli("find", "--study", str(study), "wachtlijst", "-t", "org09", "-f", "json", "--allow-flagged")
    assert len(json.loads(r.stdout)) == 2


def test_bad_queries_are_usage_errors(demo: Path) -> None:
    for args in (
        ['"aan tafel'],
        ["wacht(", "--regex"],
        ["x", "--uncoded", "--code", "care"],
        ["x", "--exact", "--regex"],
    ):
        r = run_cli("find", "--study", str(demo), *args)
        assert r.exit_code == 2, args
        assert r.stderr.startswith("Error:") and "Traceback" not in r.stderr


def test_warm_find_and_words_do_not_import_spacy(demo: Path) -> None:
    import subprocess
    import sys

    find(demo, "meedenken")  # the cache is warm from here on
    code = (
        "import json, sys\n"
        "from typer.testing import CliRunner\n"
        "from grondmotief.cli.app import app\n"
        "codes = []\n"
        f"for args in (['find', 'meedenken'], ['find', 'wachtlijst', '--exact'], ['words', '--heads']):\n"
        f"    codes.append(CliRunner().invoke(app, ['--study', {str(demo)!r}, *args]).exit_code)\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('spacy', 'sklearn', 'thinc'))\n"
        "print(json.dumps({'codes': codes, 'heavy': heavy}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {"codes": [0, 0, 0], "heavy": []}
