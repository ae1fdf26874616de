"""Shared test helpers: real fixture studies copied to a temp folder, the CLI run in-process."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grondmotief.cli.app import app

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent
# Real exports from other tools live beside the clone (shared/refi, also present in CI), under
# their own licences; we read them there instead of copying them into this repository.
SHARED_REFI = REPO.parent / "shared" / "refi"
REAL_REFI_SAMPLES = (
    "nvivo_project.qdpx",
    "qualitative-coding_demo.qdpx",
    "sky-loom_Project.qde",
    "taguette_codebook.qdc",
    "openqda-refi-tools_example_codebook.qdc",
)


def refi_sample(name: str) -> Path:
    if name not in REAL_REFI_SAMPLES:
        return FIXTURES / "refi" / name
    if not SHARED_REFI.is_dir():  # a clone without shared/ beside it; CI always has it
        pytest.skip(f"needs the real tool exports in {SHARED_REFI}")
    return SHARED_REFI / name


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(*args: str, env: dict[str, str] | None = None) -> Run:
    result = CliRunner(env=env).invoke(app, list(args), catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def foundation_study(tmp_path: Path) -> Path:
    dest = tmp_path / "study"
    shutil.copytree(FIXTURES / "foundation" / "study", dest)
    return dest


@pytest.fixture(scope="session", autouse=True)
def _user_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The codebook cache (suggest/seed_cache.py) in a folder of this test session, not
    ~/.cache; session-wide, so that module-scoped fixtures use it too."""
    folder = tmp_path_factory.mktemp("user-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GRONDMOTIEF_CACHE_HOME", str(folder))
        yield folder


@pytest.fixture(autouse=True)
def _isolate_env(monkeypatch: pytest.MonkeyPatch, _user_cache: Path) -> None:
    monkeypatch.setenv("GRONDMOTIEF_CACHE_HOME", str(_user_cache))  # also where a test changed it
    monkeypatch.delenv("GRONDMOTIEF_STUDY", raising=False)
    monkeypatch.delenv("GRONDMOTIEF_CODER", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
