"""The package map holds: layers import only downwards, and no modules import each other.

The contracts live in pyproject.toml ([tool.importlinter]); import-linter (grimp) builds the graph
from the source, every import counted, function-level ones too, type-only ones
(`if TYPE_CHECKING:`) not.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "grondmotief"


LINT = str(Path(sys.executable).parent / "lint-imports")


def lint(cwd: Path, src: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LINT, "--no-cache"], cwd=cwd, env={"PYTHONPATH": str(src)}, capture_output=True, text=True, check=False
    )


def test_import_contracts_are_kept() -> None:
    run = lint(ROOT, ROOT / "src")
    assert run.returncode == 0, run.stdout[-3000:]
    assert "Contracts: 2 kept, 0 broken." in run.stdout


def test_a_new_upward_import_breaks_the_contract(tmp_path: Path) -> None:
    # The check can fail: a copy of the package in which core imports the study model is refused.
    copy = tmp_path / "src"
    shutil.copytree(PACKAGE, copy / "grondmotief", ignore=shutil.ignore_patterns("__pycache__", "data"))
    errors = copy / "grondmotief" / "core" / "errors.py"
    errors.write_text(errors.read_text(encoding="utf-8") + "\nfrom grondmotief.study import codings  # noqa\n")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    run = lint(tmp_path, copy)
    assert run.returncode == 1, run.stdout[-2000:]
    assert "grondmotief.core is not allowed to import grondmotief.study" in run.stdout


def test_every_package_says_in_two_lines_what_lives_there() -> None:
    for init in sorted(PACKAGE.glob("*/__init__.py")):
        tree = ast.parse(init.read_text(encoding="utf-8"))
        doc = ast.get_docstring(tree)
        assert doc, f"{init.relative_to(ROOT)} has no docstring"
        lines = [line for line in doc.splitlines() if line.strip()]
        assert 1 <= len(lines) <= 2, f"{init.relative_to(ROOT)}: {len(lines)} lines"


def test_no_flat_modules_beside_the_packages() -> None:
    flat = sorted(p.name for p in PACKAGE.glob("*.py") if p.name not in {"__init__.py", "__main__.py"})
    assert flat == []
