"""Item 10 of issue 16: `--help` of every registered command and group read at 80 columns (no
Python type placeholders, nothing cut, paragraphs rewrapped, the example last), and shell
completion of code ids, coder names and transcript ids for every option that takes them."""

from __future__ import annotations

import re
import textwrap

import pytest
import typer.main
from typer.testing import CliRunner

from conftest import REPO, run_cli
from grondmotief.cli.app import app


def _walk(cmd, path):  # type: ignore[no-untyped-def]
    yield path, cmd
    for name, sub in (getattr(cmd, "commands", None) or {}).items():
        yield from _walk(sub, [*path, name])


ALL = list(_walk(typer.main.get_command(app), []))
# Typer's type labels: <bool>, <str>, <path>, <list[str]>, <int range> [x>=1], <table|json>, {files}...
PLACEHOLDERS = re.compile(
    r"<(?:bool|str|int|float|path|file|directory|datetime|list\[[^>]*\]|\w+ range|\w+(?:\|\w+)+)>"
    r"|\{\w+\}\.\.\.|\[-?[\d.]*<?=?x[<>]=?"
)


def _flat(text: str) -> str:
    return " ".join(text.split())


def _paragraphs(help_text: str) -> list[str]:
    text = textwrap.dedent(help_text).replace("\b", "")
    return [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip() and not p.strip().startswith("Example:")]


@pytest.mark.parametrize(("path", "cmd"), ALL, ids=[" ".join(p) or "grondmotief" for p, _ in ALL])
def test_help_reads_well_at_80_columns(path: list[str], cmd) -> None:  # type: ignore[no-untyped-def]
    r = run_cli(*path, "--help", env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.stderr
    out = r.stdout
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80, [line for line in lines if len(line) > 80]
    assert not PLACEHOLDERS.findall(out), PLACEHOLDERS.findall(out)
    assert not re.search(r"\w…", out), "a word was cut"
    flat = _flat(out)
    # Every option's help and every paragraph of the description is there whole, in one piece
    # (a column shrunk beside a type column, or a cut, would break it up).
    for p in cmd.params:
        if getattr(p, "help", None) and not p.hidden:
            assert _flat(p.help) in flat, f"{p.opts}: help cut or broken up"
    for par in _paragraphs(cmd.help or ""):
        assert _flat(par) in flat, f"paragraph broken up: {par[:60]}"
    # Flags show no value; other options show a metavar (FILE, N, CODE, a|b|c).
    for p in cmd.params:
        if p.param_type_name != "option" or p.hidden:
            continue
        long = max(p.opts, key=len)
        rows = [line for line in lines[lines.index("Options:") :] if line.startswith("  -")]
        row = next(line for line in rows if re.search(rf"(^|[ ,]){re.escape(long)}( |$)", line))
        after = row.split(long, 1)[1]
        if p.secondary_opts:
            after = after.split(p.secondary_opts[-1], 1)[1]
        value = after.split("  ")[0].strip()
        if p.is_flag:
            assert value == "", f"flag {p.opts} shows a value {value!r}"
        else:
            assert re.fullmatch(r"[A-Z][A-Z_=.-]*(\.\.\.)?|[a-z0-9]+(\|[a-z0-9:]+)+", value), (p.opts, value)
    # The description is rewrapped to the width: no line could have taken the next line's first word.
    description = lines[2 : lines.index("Options:")]
    for a, b in zip(description, description[1:], strict=False):
        if a and b and not a.startswith(" ") and not b.startswith(" "):
            assert len(a) + 1 + len(b.split()[0]) > 80, f"not rewrapped: {a!r} / {b!r}"
    # The example comes last.
    assert "Example:" in lines, "no example"
    tail = lines[lines.index("Example:") + 1 :]
    assert tail and tail[0].startswith("  grondmotief ")
    assert all(line.startswith("  ") for line in tail)


def test_help_rewraps_to_a_wide_terminal_too() -> None:
    out = run_cli("suggest", "--help", env={"COLUMNS": "100"}).stdout
    assert max(map(len, out.splitlines())) > 80  # not fixed at 80
    assert "blended with a model learnt from the coder's decisions" in _flat(out)
    assert "blended with a\n" not in out  # the source's line break is gone


def _complete(words: str) -> list[str]:
    env = {"_GRONDMOTIEF_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()))}
    if not words.endswith(" "):
        env["COMP_CWORD"] = str(len(words.split()) - 1)
    r = CliRunner().invoke(app, [], env=env, prog_name="grondmotief")
    assert r.exit_code == 0, r.output
    return r.stdout.split()


COMPLETED = [
    (path, opt)
    for path, cmd in ALL
    if path and not getattr(cmd, "commands", None)
    for p in cmd.params
    for opt in p.opts
    if opt in ("--theme", "--motive", "--code", "--coder", "--coders", "-t")
]


def test_completion_covers_the_shared_options() -> None:
    names = {(" ".join(p), o) for p, o in COMPLETED}
    assert {("quote", "--theme"), ("code", "-t"), ("tally", "--coder"), ("agree", "--coders")} <= names


@pytest.mark.parametrize(("path", "opt"), COMPLETED, ids=[f"{' '.join(p)} {o}" for p, o in COMPLETED])
def test_completion_offers_the_study_values(path: list[str], opt: str) -> None:
    got = _complete(f"grondmotief --study {REPO} {' '.join(path)} {opt} ")
    expected = {
        "--theme": ["access", "subsidies", "partnership", "care", "permits"],
        "--motive": ["love", "equality", "scarcity-abundance", "scarcity", "abundance", "legitimacy", "efficiency"],
        "--coder": ["anna", "ben"],
        "--coders": ["anna", "ben"],
        "-t": [f"org{n:02d}" for n in range(1, 15)],
    }.get(opt)
    if opt == "--code":
        assert {"access", "love", "scarcity"} <= set(got)
    else:
        assert got == expected


def test_completion_matches_prefixes_labels_and_lists() -> None:
    assert _complete(f"grondmotief --study {REPO} quote --theme sub") == ["subsidies"]
    assert _complete(f"grondmotief --study {REPO} quote --theme Ingang") == ["access"]  # by its label
    assert _complete(f"grondmotief --study {REPO} tally --coder anna,b") == ["anna,ben"]
    assert _complete(f"grondmotief --study {REPO} code -t org1") == ["org10", "org11", "org12", "org13", "org14"]


def test_completion_outside_a_study_offers_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert _complete(f"grondmotief --study {tmp_path} quote --theme ") == []


def test_install_completion_is_offered() -> None:
    assert "--install-completion" in run_cli("--help").stdout
