"""The default chapter templates have one home, the top-level templates/, and the wheel ships them.

The repository root is the demo study, so its templates/ is both the study's folder and the
packaged defaults; an installed grondmotief reads the copy the build put inside the package.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO, run_cli
from grondmotief.report.render import packaged_templates_dir

DEFAULTS = sorted(p.name for p in (REPO / "templates").glob("*.md.j2"))
CHAPTERS = [n for n in DEFAULTS if not n.startswith("_")]


def test_the_defaults_live_in_templates_and_nowhere_else() -> None:
    assert CHAPTERS == [
        "01-ervaringen.md.j2",
        "02-grondmotieven.md.j2",
        "03-bijlage-codeboek.md.j2",
        "04-bijlage-organisaties.md.j2",
    ]
    assert "_wie-telt.md.j2" in DEFAULTS
    assert packaged_templates_dir() == REPO / "templates"  # a source checkout reads them in place
    # Tests keep their own templates; hidden folders (.venv, .git) and build output are not the repository's.
    skip = {"tests", "build", "dist"}
    copies = [
        p.relative_to(REPO)
        for p in REPO.rglob("*.j2")
        if p.parent != REPO / "templates"
        and not any(part in skip or part.startswith(".") for part in p.relative_to(REPO).parts)
    ]
    assert copies == [], "a second copy of a default template"


def test_the_demo_study_says_its_templates_are_the_defaults() -> None:
    r = run_cli("--study", str(REPO), "report", "--list-templates")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines() == [
        f"{n}\ttemplates/{n} (the packaged default: this study is grondmotief's source tree)" for n in CHAPTERS
    ]


def test_another_study_lists_the_defaults_as_packaged(foundation_study: Path) -> None:
    (foundation_study / "templates").mkdir(exist_ok=True)
    (foundation_study / "templates" / "02-grondmotieven.md.j2").write_text("# Eigen\n", encoding="utf-8")
    r = run_cli("--study", str(foundation_study), "report", "--list-templates")
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "01-ervaringen.md.j2\t(packaged) templates/01-ervaringen.md.j2"
    assert lines[1] == "02-grondmotieven.md.j2\ttemplates/02-grondmotieven.md.j2"  # the study's own, no note
    assert len(lines) == 4


@pytest.mark.slow
def test_the_wheel_ships_the_templates_and_an_install_reads_them(tmp_path: Path) -> None:
    pytest.importorskip("hatchling", reason="the build backend (dev extra) builds the wheel offline")
    out = tmp_path / "wheel"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(REPO)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = out.glob("grondmotief-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        shipped = sorted(n for n in zf.namelist() if n.endswith(".j2"))
        assert shipped == [f"grondmotief/data/templates/{n}" for n in DEFAULTS]
        for n in DEFAULTS:
            assert zf.read(f"grondmotief/data/templates/{n}") == (REPO / "templates" / n).read_bytes()
        zf.extractall(site)

    # The unpacked wheel stands in for an install: its grondmotief, not src/, is the one imported.
    study = tmp_path / "study"
    shutil.copytree(FIXTURES / "foundation" / "study", study)
    env = {**os.environ, "PYTHONPATH": str(site), "NO_COLOR": "1"}

    def installed(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "grondmotief", "--study", str(study), *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
        )

    where = subprocess.run(
        [sys.executable, "-c", "import grondmotief; print(grondmotief.__file__)"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert where.stdout.strip() == str(site / "grondmotief" / "__init__.py")
    listed = installed("report", "--list-templates")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [f"{n}\t(packaged) grondmotief/data/templates/{n}" for n in CHAPTERS]

    # The installed copy renders the same chapters as the checkout's templates/.
    assert installed("report").returncode == 0
    from_wheel = {p.relative_to(study): p.read_bytes() for p in (study / "chapters").rglob("*") if p.is_file()}
    shutil.rmtree(study / "chapters")
    assert run_cli("--study", str(study), "report").exit_code == 0
    from_checkout = {p.relative_to(study): p.read_bytes() for p in (study / "chapters").rglob("*") if p.is_file()}
    assert from_wheel == from_checkout and len(from_wheel) >= 4
