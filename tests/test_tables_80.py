"""Item 9 of issue 16: every table keeps ids and code names whole at 80 columns, on the demo study
renamed to 25-character transcript ids. The test walks every registered command with a `--format`
that offers `table`, so a new command is covered (or fails, asking for its arguments below)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import typer.main

from conftest import run_cli
from grondmotief.cli.app import app
from wide_study import long_id, make_wide_study

# Arguments a command needs to produce a table on this study (all others run with none), and
# variants whose table is laid out differently.
ARGS: dict[str, list[list[str]]] = {
    "crosstab": [["theme", "motive"], ["theme", "organisation_type"], ["theme", "motive", "--clash"]],
    "tally": [[], ["--by", "organisation_type"], ["--group", "motive", "--by", "sector"]],
    "suggest": [["-t", long_id("org01"), "--coder", "anna", "--no-model"]],
    "agree": [[], ["--disagreements", "-t", long_id("org02")]],
    "codebook suggest-keywords": [["subsidies", "--limit", "8"]],
    "status": [[], ["--coder", "anna"]],
    # These change the study: they run on a copy of it (their --dry-run prints the files' diff verbatim).
    "codebook rename": [["subsidies", "funding"]],
    "codebook merge": [["love", "equality", "--into", "equality"]],
    "codebook move": [["love", "--parent", "equality"]],
    "codebook split": [["subsidies", "--into", "grants,loans"]],
    "find": [["subsidie", "--count"], ["wachtlijst"]],
    "words": [[], ["--compare", "organisation_type"]],
}


def _table_commands() -> list[str]:
    found = []

    def walk(cmd, path):  # type: ignore[no-untyped-def]
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, [*path, name])
            return
        for p in cmd.params:
            choices = p.type_descriptor.choices if p.type_descriptor.is_choice else None
            if "--format" in p.opts and "table" in [getattr(c, "value", c) for c in choices or ()]:
                found.append(" ".join(path))

    walk(typer.main.get_command(app), [])
    return found


CHANGES_STUDY = {"codebook rename", "codebook merge", "codebook move", "codebook split"}
CASES = [(name, args) for name in _table_commands() for args in ARGS.get(name, [[]])]


@pytest.fixture(scope="module")
def wide(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_wide_study(tmp_path_factory.mktemp("wide") / "study")


def _ids(study: Path) -> set[str]:
    from grondmotief.study.folder import Study

    s = Study.open(study)
    return set(s.transcripts) | set(s.codebook.codes)


def _tokens(text: str) -> set[str]:
    return {t for t in re.split(r"[\s¶,;:()×/|┃│]+", text) if t}


def test_the_walk_finds_the_tables() -> None:
    assert {"status", "tally", "crosstab", "agree"} <= set(_table_commands())


@pytest.mark.parametrize(("name", "args"), CASES, ids=[f"{n} {' '.join(a)}".strip() for n, a in CASES])
def test_table_fits_80_columns_with_whole_ids(wide: Path, name: str, args: list[str], tmp_path: Path) -> None:
    env = {"COLUMNS": "80"}
    if name in CHANGES_STUDY:
        wide = Path(shutil.copytree(wide, tmp_path / "study"))
    r = run_cli(*name.split(), *args, "--study", str(wide), "--format", "table", env=env)
    assert r.exit_code == 0, f"{name} {args}: exit {r.exit_code}: {r.stderr} (add its arguments to ARGS)"
    lines = r.stdout.splitlines()
    assert lines or name == "check", f"{name}: no table"
    too_wide = [line for line in lines if len(line.rstrip()) > 80]
    assert not too_wide, f"{name}: lines wider than 80 columns: {too_wide[:3]}"
    assert "…" not in r.stdout, f"{name}: something was cut:\n{r.stdout}"
    ids = _ids(wide)
    tokens = _tokens(r.stdout)
    # A cut id leaves a prefix behind; a prefix of a plain-word code id ("subsidie") may be evidence text.
    cut = sorted(t for t in tokens if t not in ids and len(t) >= 5 and any(i.startswith(t) and "-" in i for i in ids))
    if name == "words":  # its rows are lemmas, and "voedselbank" is a word as well as the start of an id
        cut = [t for t in cut if not t.isalpha()]
    assert not cut, f"{name}: ids cut to {cut}:\n{r.stdout}"
    # Every id the command reports as a field of its own (in its json) is in the table, whole.
    if name in CHANGES_STUDY:
        return  # done once: a second run finds nothing left to change
    as_json = run_cli(*name.split(), *args, "--study", str(wide), "--format", "json", env=env)
    if as_json.exit_code == 0 and as_json.stdout.strip():
        data = json.loads(as_json.stdout)
        fields = [v for row in (data if isinstance(data, list) else []) for v in row.values() if isinstance(v, str)]
        shown = {part for v in fields for part in v.split("¶") if part in ids}
        if name == "status":
            assert {long_id(f"org{n:02d}") for n in range(1, 15)} <= shown
        assert shown <= tokens, f"{name}: ids missing from the table: {sorted(shown - tokens)[:5]}"


def test_status_at_80_columns_is_a_table_with_short_headers(wide: Path) -> None:
    r = run_cli("status", "--study", str(wide), env={"COLUMNS": "80"})
    header = r.stdout.splitlines()[0].split()
    assert header[:4] == ["coder", "transcript", "done", "total"]
    assert any(line.split()[:2] == ["anna", long_id("org07")] for line in r.stdout.splitlines())
    assert "done = decided" in r.stdout  # the legend names what the short headers stand for


def test_too_narrow_for_any_table_gives_one_block_per_row(wide: Path) -> None:
    r = run_cli("status", "--study", str(wide), "--coder", "anna", env={"COLUMNS": "50"})
    assert r.exit_code == 0
    lines = [line.rstrip() for line in r.stdout.splitlines()]
    assert max(map(len, lines)) <= 50
    assert f"transcript  {long_id('org03')}" in lines
    assert "decided     18" in lines  # the full header in the vertical layout
