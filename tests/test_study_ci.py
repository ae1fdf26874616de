"""`init` writes CI for the researcher's study; its commands pass in a fresh clone (and can fail)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO, run_cli

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.org", "-c", "init.defaultBranch=main", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def _env() -> dict[str, str]:
    # The commands name `grondmotief`: the one next to this interpreter, running this source tree.
    return {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(REPO / "src"),
        "NO_COLOR": "1",
    }


def _commands(study: Path) -> list[str]:
    """Every command the CI files and the pre-commit hook run, except installing grondmotief."""
    github = yaml.safe_load((study / ".github" / "workflows" / "grondmotief.yml").read_text(encoding="utf-8"))
    gitlab = yaml.safe_load((study / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    steps = github["jobs"]["chapters"]["steps"]
    upload = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact")]
    assert upload and upload[0]["with"]["path"] == "chapters/" and upload[0]["if"] == "always()"
    assert gitlab["grondmotief"]["artifacts"]["paths"] == ["chapters/"]
    assert [h["id"] for h in hooks] == ["grondmotief-check"] and hooks[0]["pass_filenames"] is False
    runs = [s["run"] for s in steps if "run" in s]
    script = gitlab["grondmotief"]["script"]
    for install in (runs[0], script[0]):
        assert install.startswith("pip install ") and "grondmotief==" in install
    return [*runs[1:], *script[1:], hooks[0]["entry"]]


def test_ci_files_pass_in_a_fresh_clone_and_fail_on_stale_chapters(tmp_path: Path) -> None:
    study = tmp_path / "onderzoek"
    r = run_cli("init", str(study))
    assert r.exit_code == 0, r.stderr
    r = run_cli("--study", str(study), "report")
    assert r.exit_code == 0, r.stderr
    _git("init", "-q", cwd=study)
    _git("add", "-A", cwd=study)
    _git("commit", "-qm", "new study", cwd=study)
    clone = tmp_path / "clone"
    _git("clone", "-q", str(study), str(clone), cwd=tmp_path)
    assert not (clone / ".grondmotief").exists()  # git-ignored caches do not travel

    commands = _commands(clone)
    assert commands == [
        "grondmotief check",
        "grondmotief report --check",
        "grondmotief check",
        "grondmotief report --check",
        "grondmotief check",
    ]
    for command in commands:
        proc = subprocess.run(command, shell=True, cwd=clone, env=_env(), capture_output=True, text=True)
        assert proc.returncode == 0, (command, proc.stdout, proc.stderr)

    # The same commands fail when they should: a transcript changed, chapters not re-rendered.
    example = clone / "interviews" / "voorbeeld.md"
    example.write_text(example.read_text(encoding="utf-8").replace("title: ", "title: Nieuw: ", 1), encoding="utf-8")
    proc = subprocess.run("grondmotief report --check", shell=True, cwd=clone, env=_env(), capture_output=True)
    assert proc.returncode == 1


def test_no_ci_and_a_custom_install(tmp_path: Path) -> None:
    r = run_cli("init", str(tmp_path / "a"), "--no-ci")
    assert r.exit_code == 0, r.stderr
    assert not (tmp_path / "a" / ".github").exists() and not (tmp_path / "a" / ".gitlab-ci.yml").exists()
    r = run_cli("init", str(tmp_path / "b"), "--ci-install", "grondmotief @ git+https://example.org/grondmotief.git")
    assert r.exit_code == 0, r.stderr
    text = (tmp_path / "b" / ".gitlab-ci.yml").read_text(encoding="utf-8")
    assert '- pip install "grondmotief @ git+https://example.org/grondmotief.git"' in text
    r = run_cli("init", str(tmp_path / "c"), "--ci-install", 'x"; rm -rf ~; "')
    assert r.exit_code == 1 and "--ci-install must be one pip requirement" in r.stderr
