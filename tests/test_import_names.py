"""`import` prints roles and counts, never the source's speaker names, unless --show-names (issue 13, item 5)."""

from __future__ import annotations

from pathlib import Path

from conftest import run_cli

SOURCE = (
    "Jan de Vries: Goedemiddag. Hoe lang bestaat de club al?\n"
    "Anna Bakker: Een jaar of twintig.\n"
    "Jan de Vries: En hoe gaat het met de subsidie?\n"
    "Anna Bakker: Elk jaar weer die aanvraag.\n"
    "Piet Jansen: Dat vind ik ook.\n"
    "Jan de Vries: Wie doet die aanvraag?\n"
    "Piet Jansen: Meestal ik.\n"
)
NAMES = ("Jan de Vries", "Anna Bakker", "Piet Jansen", "Vries", "Bakker", "Jansen")


def _source(tmp_path: Path) -> Path:
    path = tmp_path / "gesprek.txt"
    path.write_text(SOURCE, encoding="utf-8")
    return path


def test_import_prints_roles_and_counts_not_names(foundation_study: Path, tmp_path: Path) -> None:
    r = run_cli("--study", str(foundation_study), "import", str(_source(tmp_path)))
    assert r.exit_code == 0, r.stderr
    out = r.stdout + r.stderr
    assert not any(n in out for n in NAMES), out
    assert "I (interviewer, 3 turns), R (respondent, 2 turns), R2 (respondent, 2 turns)" in out
    assert "took the first speaker as the interviewer" in out and "--show-names" in out
    written = (foundation_study / "interviews" / "gesprek.md").read_text(encoding="utf-8")
    assert not any(n in written for n in NAMES)


def test_show_names_prints_them(foundation_study: Path, tmp_path: Path) -> None:
    r = run_cli("--study", str(foundation_study), "import", str(_source(tmp_path)), "--show-names")
    assert r.exit_code == 0, r.stderr
    assert "Jan de Vries → I (interviewer, 3 turns), Anna Bakker → R (respondent" in r.stdout + r.stderr


def test_a_wrong_interviewer_lists_no_names(foundation_study: Path, tmp_path: Path) -> None:
    r = run_cli("--study", str(foundation_study), "import", str(_source(tmp_path)), "--interviewer", "Kees")
    assert r.exit_code == 1
    out = r.stdout + r.stderr
    assert "--interviewer matches none of the 3 speaker name(s) in this file (--show-names lists them)" in out
    assert not any(n in out for n in NAMES), out
    assert not (foundation_study / "interviews" / "gesprek.md").exists()
    r = run_cli(
        "--study", str(foundation_study), "import", str(_source(tmp_path)), "--interviewer", "Kees", "--show-names"
    )
    assert r.exit_code == 1 and "speakers: Jan de Vries, Anna Bakker, Piet Jansen" in r.stdout + r.stderr
