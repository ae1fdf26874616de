"""A study from someone else's repository: committed symlinks must not lead writes (or reads) out of it.

Issue 13 item 9. Each case links one of the study's own folders to a folder outside the study and
runs a command that writes there; the command must refuse, naming the link, and write nothing outside.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli


def _outside_files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path]:
    study = tmp_path / "study"
    shutil.copytree(FIXTURES / "foundation" / "study", study)
    outside = tmp_path / "elders"
    outside.mkdir()
    (outside / "keep.txt").write_text("niet aankomen\n", encoding="utf-8")
    return study, outside


def _link(study: Path, name: str, outside: Path) -> None:
    path = study / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir():
        for p in path.iterdir():
            shutil.copy(p, outside / p.name)
        shutil.rmtree(path)
    os.symlink(outside, path)


CASES = [
    ("codings", ["code", "--coder", "tester", "--accept-above", "0.1", "--yes"]),
    (".grondmotief", ["code", "--coder", "tester", "--accept-above", "0.1", "--yes"]),
    (".grondmotief/locks", ["code", "--coder", "tester", "--accept-above", "0.1", "--yes"]),
    (".grondmotief/suggest", ["suggest", "--coder", "tester"]),
    ("interviews", ["import", "IMPORT"]),
]


@pytest.mark.parametrize(("name", "args"), CASES, ids=[c[0] for c in CASES])
def test_a_symlinked_folder_out_of_the_study_is_refused(setup: tuple[Path, Path], name: str, args: list[str]) -> None:
    study, outside = setup
    source = study.parent / "gesprek.txt"
    source.write_text("Interviewer: Hoe gaat het?\nRespondent: Goed, de subsidie is binnen.\n", encoding="utf-8")
    _link(study, name, outside)
    before = _outside_files(outside)
    r = run_cli("--study", str(study), *[str(source) if a == "IMPORT" else a for a in args])
    out = r.stdout + r.stderr
    assert r.exit_code == 1, out
    assert f"{name}: is a symbolic link to a place outside the study" in " ".join(out.split()), out
    assert "Traceback" not in out and "internal error" not in out
    assert _outside_files(outside) == before


def test_a_symlink_inside_the_study_is_followed(setup: tuple[Path, Path]) -> None:
    study, _ = setup
    (study / "data").mkdir()
    shutil.move(study / "interviews", study / "data" / "interviews")
    os.symlink(study / "data" / "interviews", study / "interviews")
    r = run_cli("--study", str(study), "check", "--no-pii")
    assert r.exit_code == 0, r.stdout + r.stderr


def test_a_codebook_linked_out_of_codebooks_is_not_read(setup: tuple[Path, Path]) -> None:
    """Issue 13 item 11: the codebook is a file in codebooks/, never any YAML file on the machine."""
    study, outside = setup
    (outside / "geheim.yaml").write_text("wachtwoord_van_de_server: 1\n", encoding="utf-8")
    (study / "codebooks" / "mini.yaml").unlink()
    os.symlink(outside / "geheim.yaml", study / "codebooks" / "mini.yaml")
    r = run_cli("--study", str(study), "check", "--no-pii")
    out = r.stdout + r.stderr
    assert r.exit_code == 1 and "codebooks/mini.yaml: is a symbolic link to a place outside the study" in out, out
    assert "wachtwoord" not in out


def test_a_lock_file_that_is_a_symlink_is_not_truncated(setup: tuple[Path, Path]) -> None:
    study, outside = setup
    (study / ".grondmotief" / "locks").mkdir(parents=True)
    os.symlink(outside / "keep.txt", study / ".grondmotief" / "locks" / "tester.lock")
    r = run_cli("--study", str(study), "code", "--coder", "tester", "--accept-above", "0.1", "--yes")
    assert r.exit_code == 1 and "tester.lock: the lock file is a symbolic link" in r.stderr, r.stdout + r.stderr
    assert (outside / "keep.txt").read_text(encoding="utf-8") == "niet aankomen\n"


def test_a_transcript_linked_out_of_the_study_is_not_read(setup: tuple[Path, Path]) -> None:
    study, outside = setup
    (outside / "dagboek.md").write_text(
        "---\nid: dagboek\nspeakers: {R: respondent}\n---\nR: Mijn geheime dagboek.\n", encoding="utf-8"
    )
    os.symlink(outside / "dagboek.md", study / "interviews" / "dagboek.md")
    r = run_cli("--study", str(study), "check", "--no-pii")
    out = r.stdout + r.stderr
    assert r.exit_code == 1 and "interviews/dagboek.md: is a symbolic link to a file outside the study" in out, out
    assert "geheime" not in out
