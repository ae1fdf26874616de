"""The README and the guides in docs/ show command lines; every one must still work.

Each `grondmotief …` line in a shell block of README.md or docs/*.md (docs/cli.md is generated
from --help and checked elsewhere) is parsed by the real command: the command and subcommand
exist, every option exists, every value is one the option accepts, arguments are complete. The
lines of a block then run in order on their own copy of the demo study (interactive ones, which
need a terminal, only parse). Command spans in the prose (`check --fix --accept-edits`,
`tally [--group G] [--format table|csv|json|md]`) are checked for their command, options and
listed values. Relative links must point at files and headings that exist.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import typer.main

from conftest import REPO, run_cli
from grondmotief.cli.app import app

ROOT = typer.main.get_command(app)
GUIDES = [REPO / "README.md", *sorted(p for p in (REPO / "docs").glob("*.md") if p.name != "cli.md")]
SHELL_LANGS = {"sh", "bash", "shell", "console"}
FENCE = re.compile(r"^\s*(`{3,})(\S*)")
# Commands that load the Dutch pipeline when they run (each block still parses in the fast test).
NLP = {"suggest", "find", "words", "suggest-keywords", "code"}


@dataclass
class Block:
    where: str  # file:line of the block's first command
    lines: list[tuple[int, str]] = field(default_factory=list)  # (line number, command line)


def shell_blocks(path: Path) -> list[Block]:
    """Command lines of each shell code block: every line in sh blocks, `$ ` lines in console ones."""
    blocks: list[Block] = []
    lang: str | None = None
    for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        m = FENCE.match(line)
        if m:
            lang = m.group(2) if lang is None else None
            if lang is not None:
                blocks.append(Block(f"{path.name}:{n + 1}"))
            continue
        if lang not in SHELL_LANGS:
            continue
        text = line.strip()
        if lang == "console":
            if not text.startswith("$ "):
                continue
            text = text[2:]
        if "grondmotief" in text:
            blocks[-1].lines.append((n, text))
    return [b for b in blocks if b.lines]


def segments(line: str) -> list[list[str]]:
    """A shell line split at |, && and ;, without its # comment."""
    lex = shlex.shlex(line, posix=True, punctuation_chars=True)
    lex.whitespace_split = True
    lex.commenters = "#"
    parts: list[list[str]] = [[]]
    for tok in lex:
        if tok in ("|", "&&", ";", "||"):
            parts.append([])
        else:
            parts[-1].append(tok)
    return [p for p in parts if p]


def resolve(tokens: list[str]) -> tuple[object, list[str], list[str]]:
    """The command a token list (after `grondmotief`) names, its path and the tokens left for it."""
    cmd, path, i = ROOT, [], 0
    while i < len(tokens) and hasattr(cmd, "commands"):
        tok = tokens[i]
        if tok.startswith("-"):
            opt = find_option(cmd, tok.split("=", 1)[0])
            if opt is None:
                raise AssertionError(f"grondmotief {' '.join(path)}: no option {tok}")
            i += 1 if opt.is_flag or "=" in tok else 2
            continue
        if tok not in cmd.commands:  # type: ignore[attr-defined]
            raise AssertionError(f"grondmotief {' '.join(path)}: no command {tok!r}")
        cmd, path, i = cmd.commands[tok], [*path, tok], i + 1  # type: ignore[attr-defined]
    return cmd, path, tokens[i:]


def find_option(cmd: object, name: str):
    for p in cmd.params:  # type: ignore[attr-defined]
        if p.param_type_name == "option" and name in (*p.opts, *p.secondary_opts):
            return p
    if name in ("-h", "--help"):
        return type("Help", (), {"is_flag": True})()
    return None


def parse_line(tokens: list[str]) -> None:
    """Let the real command parse a shown line (options, values, arguments), without running it."""
    cmd, path, rest = resolve(tokens[1:])
    assert not hasattr(cmd, "commands"), f"grondmotief {' '.join(path)} needs a subcommand"
    cmd.make_context(" ".join(["grondmotief", *path]), rest)  # type: ignore[attr-defined]


def check_span(tokens: list[str]) -> None:
    """A command written in prose: its options exist; a value listing alternatives (a|b) is valid."""
    cmd, path, rest = resolve(tokens[1:] if tokens[0] == "grondmotief" else tokens)
    ctx = cmd.make_context("grondmotief", [], resilient_parsing=True)  # type: ignore[attr-defined]
    for i, tok in enumerate(rest):
        if not tok.startswith("-") or re.fullmatch(r"-[\d.]+", tok):
            continue
        opt = find_option(cmd, tok.split("=", 1)[0])
        assert opt is not None, f"grondmotief {' '.join(path)}: no option {tok}"
        value = tok.split("=", 1)[1] if "=" in tok else (rest[i + 1] if i + 1 < len(rest) else "")
        if not opt.is_flag and "|" in value:
            for alt in value.split("|"):
                opt.process_value(ctx, alt)  # raises when the option does not accept it


def all_blocks() -> list[Block]:
    return [b for path in GUIDES for b in shell_blocks(path)]


def shown_lines() -> list[tuple[str, list[str]]]:
    out = []
    for block in all_blocks():
        for n, line in block.lines:
            for seg in segments(line):
                if seg[0] == "grondmotief":
                    out.append((f"{block.where.split(':')[0]}:{n}", seg))
    return out


SPAN = re.compile(r"`([^`\n]+)`")


def prose_spans() -> list[tuple[str, list[str]]]:
    """`grondmotief …` spans, and spans that start with a command name and pass an option."""
    out = []
    for path in GUIDES:
        fence = False
        for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
            if FENCE.match(line):
                fence = not fence
            if fence:
                continue
            for m in SPAN.finditer(line):
                words = m.group(1).replace("[", " ").replace("]", " ").replace("\\|", "|").split()
                if not words:
                    continue
                if words[0] == "grondmotief" or (words[0] in ROOT.commands and any(w.startswith("--") for w in words)):
                    out.append((f"{path.name}:{n}", words))
    return out


LINES = shown_lines()


@pytest.mark.parametrize(("where", "tokens"), LINES, ids=[f"{w} {' '.join(t[1:4])}" for w, t in LINES])
def test_every_shown_command_line_parses(where: str, tokens: list[str], demo_study: Path, monkeypatch) -> None:
    monkeypatch.chdir(demo_study)  # paths in the lines are relative to the study
    try:
        parse_line(tokens)
    except Exception as exc:  # a usage error of the real parser, or ours
        pytest.fail(f"{where}: `{shlex.join(tokens)}`: {exc}")


SPANS = prose_spans()


@pytest.mark.parametrize(("where", "words"), SPANS, ids=[f"{w} {' '.join(t[:3])}" for w, t in SPANS])
def test_every_command_in_the_prose_exists_with_its_options(where: str, words: list[str]) -> None:
    try:
        check_span(words)
    except Exception as exc:
        pytest.fail(f"{where}: `{' '.join(words)}`: {exc}")


def test_the_front_door_shows_the_walkthrough() -> None:
    """What the README promises to show is there, so the tests above have something to check."""
    readme = [" ".join(t) for w, t in LINES if w.startswith("README.md")]
    for needed in (
        "grondmotief check",
        "grondmotief report --check",
        "grondmotief code --coder me",
        "grondmotief quote",
    ):
        assert any(line.startswith(needed) for line in readme), needed
    assert len(LINES) >= 40 and len(SPANS) >= 30


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("grondmotief quote --theme subsidies --limits 3", "No such option"),
        ("grondmotief suggest --format summry", "summry"),
        ("grondmotief codebook shw", "no command 'shw'"),
        ("grondmotief crosstab theme", "Missing parameter: cols"),
        ("grondmotief --studie . check", "no option --studie"),
    ],
)
def test_a_changed_command_or_option_fails(line: str, problem: str) -> None:
    with pytest.raises(Exception, match=problem):
        parse_line(shlex.split(line))


@pytest.mark.parametrize(
    ("span", "problem"),
    [("tally --format table|csv|xml", "xml"), ("check --fix --accept-edit", "no option --accept-edit")],
)
def test_a_changed_command_in_the_prose_fails(span: str, problem: str) -> None:
    with pytest.raises(Exception, match=problem):
        check_span(span.split())


def interactive(tokens: list[str]) -> bool:
    """Needs a terminal: the review loop and reconciliation without a batch policy."""
    _, path, rest = resolve(tokens[1:])
    if path == ["code"]:
        return "--accept-above" not in rest
    return path == ["agree"] and "--reconcile" in rest and "--policy" not in rest


@pytest.fixture(scope="module")
def demo_study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo study (this repository's own folders), copied once."""
    dest = tmp_path_factory.mktemp("readme") / "demo"
    dest.mkdir()
    for part in ("codebooks", "interviews", "codings", "chapters", "templates", "grondmotief.yaml"):
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, dest / part)
        elif src.is_file():
            shutil.copy2(src, dest / part)
    return dest


@pytest.fixture(scope="module")
def warm_demo(demo_study: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo study with its suggest cache built once, so each block's copy starts warm."""
    r = run_cli("--study", str(demo_study), "suggest", "--format", "summary")
    assert r.exit_code == 0, r.stderr
    return demo_study


BLOCKS = all_blocks()


def _block_params():
    for b in BLOCKS:
        names = {resolve(seg[1:])[1][-1] for _, line in b.lines for seg in segments(line) if seg[0] == "grondmotief"}
        marks = [pytest.mark.slow] if names & NLP else []
        yield pytest.param(b, id=b.where, marks=marks)


@pytest.mark.parametrize("block", list(_block_params()))
def test_shown_blocks_run_on_a_copy_of_the_demo(block: Block, warm_demo: Path, tmp_path: Path, monkeypatch) -> None:
    """Each block's lines in order, as a reader would type them, in its own copy of the demo."""
    cwd = tmp_path / "demo"
    shutil.copytree(warm_demo, cwd)
    for n, line in block.lines:
        for seg in segments(line):
            if seg[0] == "cd":
                cwd = cwd / seg[1]
                continue
            if seg[0] != "grondmotief" or interactive(seg):
                continue  # other tools (git, head) are not ours to test; interactive lines only parse
            monkeypatch.chdir(cwd)
            r = run_cli(*seg[1:])
            assert r.exit_code == 0, (
                f"{block.where.split(':')[0]}:{n}: `{shlex.join(seg)}` exit {r.exit_code}: {r.stderr}"
            )
            assert "internal error" not in r.stderr and "Traceback" not in r.stderr


LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_links_point_at_files_and_headings_that_exist() -> None:
    for path in [*GUIDES, REPO / "docs" / "cli.md"]:
        fence = False
        for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
            fence ^= bool(FENCE.match(line))
            if fence:
                continue
            for target in LINK.findall(SPAN.sub("", line)):  # a link inside `code` is an example
                if re.match(r"[a-z]+:", target):
                    continue  # a web address
                file, _, anchor = target.partition("#")
                dest = (path.parent / file).resolve() if file else path
                assert dest.exists(), f"{path.name}:{n}: link to {target}: no such file"
                if anchor:
                    heads = [
                        slug(h.lstrip("#")) for h in dest.read_text(encoding="utf-8").split("\n") if h.startswith("#")
                    ]
                    assert anchor in heads, f"{path.name}:{n}: link to {target}: no such heading"


@pytest.mark.slow
def test_the_walkthrough_codes_three_passages_as_the_readme_says(demo_study: Path, tmp_path: Path) -> None:
    """Step 3 of the README, key by key, in a real pseudo-terminal on a copy of the demo."""
    from review_pty import Tui, read_codings

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    said = " ".join(readme.split())  # the prose is wrapped; compare it as one line
    for step in (
        "grondmotief code --coder me --transcript org01",
        "press `c`, type `lief` and Enter to code it `love`",
        "then `x`: nothing else applies",
        "and nothing is offered for it (`care`, for volunteers who do the shopping with older people, scores under the threshold): `x` records that no code applies",
        "the suggestion `subsidies` is highlighted: press `a` to accept it, then `x` to reject the rest (`legitimacy`)",
        "`grondmotief status --coder me` shows 3 passages done",
    ):
        assert step in said, f"README step 3 changed: {step!r}; change this test with it"

    study = tmp_path / "demo"
    shutil.copytree(demo_study, study)
    tui = Tui(study, "--transcript", "org01", coder="me", suggestions=True)
    # org01¶2: how the project began. A cold start trains the seed model first: allow for a busy machine.
    tui.wait_for("No suggestions for this passage", timeout=120)
    tui.press("c", expect="Add code:")
    tui.type("lief")
    tui.press("\r", expect="Added love")
    tui.press("x", expect="org01¶4 of")
    tui.wait_for("No suggestions for this passage")
    tui.press("x", expect="nothing applies")
    tui.wait_for("org01¶6 of")
    screen = tui.wait_for("legitimacy")
    assert ">  subsidies" in screen  # the highlighted suggestion
    tui.press("a", expect="Accepted subsidies; cursor now on legitimacy")
    tui.press("x", expect="rejected: legitimacy.")
    assert tui.quit() == 0
    got = {(d["segment"], d["code"], d["decision"]) for d in read_codings(study, "me")}
    assert got == {
        ("org01¶2", "love", "accepted"),
        ("org01¶4", "_none", "accepted"),
        ("org01¶6", "subsidies", "accepted"),
        ("org01¶6", "legitimacy", "rejected"),
    }
    r = run_cli("--study", str(study), "status", "--coder", "me", "--transcript", "org01", "--format", "json")
    assert r.exit_code == 0, r.stderr
    [row] = json.loads(r.stdout)
    assert row["decided"] == 3
