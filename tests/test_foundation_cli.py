"""Every command is wrapped: problems become `Error: …` on stderr and exit 1 (2 for usage), never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import typer.main

from conftest import REPO, run_cli
from grondmotief.cli.app import app


def _leaf_commands():
    root = typer.main.get_command(app)

    def walk(cmd, path):
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                yield from walk(sub, [*path, name])
        else:
            yield path, cmd

    return list(walk(root, []))


def _dummy_args(cmd, tmp_path: Path) -> list[str]:
    existing = tmp_path / "input.txt"
    existing.write_text("I: vraag\n", encoding="utf-8")
    args: list[str] = []
    for param in cmd.params:
        if getattr(param, "param_type_name", "") == "argument" and param.required:
            n = param.nargs if param.nargs and param.nargs > 0 else 1
            values = [str(existing)] * n
            if param.name in {"rows", "cols"}:
                values = ["theme"] if param.name == "rows" else ["motive"]
            args.extend(values)
        elif getattr(param, "param_type_name", "") == "option" and param.required:
            args.extend([param.opts[0], "x"])  # e.g. `codebook merge --into CODE`
    return args


def test_every_study_command_reports_a_missing_study_cleanly(tmp_path: Path) -> None:
    commands = _leaf_commands()
    assert len(commands) >= 6
    checked = 0
    for path, cmd in commands:
        if not any("--study" in getattr(p, "opts", []) for p in cmd.params):
            continue
        args = [*path, "--study", str(tmp_path / "nowhere"), *_dummy_args(cmd, tmp_path)]
        result = run_cli(*args)
        assert result.exit_code == 2, (path, result)  # where the command was pointed is wrong: usage
        assert result.stderr.startswith("Error:"), (path, result.stderr)
        assert "Traceback" not in result.stderr + result.stdout
        checked += 1
    assert checked >= 4


def test_every_command_has_help_with_an_example() -> None:
    for path, _cmd in _leaf_commands():
        result = run_cli(*path, "--help")
        assert result.exit_code == 0, path
        assert "Example:" in result.stdout, f"{' '.join(path)} --help has no example"


def test_usage_error_exits_2() -> None:
    result = run_cli("check", "--no-such-flag")
    assert result.exit_code == 2


def test_python_dash_m_smoke() -> None:
    proc = subprocess.run([sys.executable, "-m", "grondmotief", "--help"], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0
    assert "quote" in proc.stdout or "check" in proc.stdout


def test_help_does_not_import_spacy() -> None:
    code = "import sys; from grondmotief.cli.app import app; assert 'spacy' not in sys.modules, 'spacy imported'"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_cli_reference_is_current() -> None:
    from grondmotief.cli.docs import render

    committed = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == render(), "docs/cli.md is stale: run `make docs`"
