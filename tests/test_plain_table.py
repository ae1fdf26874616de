"""Tables written without rich (cli/plain_table.py) are the bytes rich writes (issue 14): rich
itself, drawing into a file as it does into a pipe, is the reference."""

from __future__ import annotations

import io
import random
import subprocess
import sys

from rich.console import Console

from conftest import REPO
from grondmotief.cli import plain_table
from grondmotief.cli.output import Column
from grondmotief.cli.tables import print_table


def _rich(cells: list[list[str]], columns: list[Column], width: int) -> str:
    buf = io.StringIO()
    print_table(Console(file=buf, width=width, soft_wrap=False, highlight=False), cells, columns)
    return buf.getvalue()


def test_plain_tables_are_what_rich_draws() -> None:
    rnd = random.Random(14)
    alphabet = "abc  xyzé ĳ-0123456789ë"
    drawn = {"boxed": 0, "compact": 0, "wrapped": 0, "left to rich": 0}
    for _ in range(3000):
        columns = [
            Column(f"h{i}" * rnd.randint(0, 3) or "x", justify=rnd.choice(["left", "right"]))
            for i in range(rnd.randint(1, 6))
        ]
        cells = [
            ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 25))) for _ in columns]
            for _ in range(rnd.randint(0, 5))
        ]
        width = rnd.randint(20, 140)
        mine = plain_table.render(cells, columns, width)
        if mine is None:
            drawn["left to rich"] += 1
            continue
        wrapped = mine.count("\n") > len(cells) + (4 if mine.startswith("┏") else 2)
        drawn["wrapped" if wrapped else "boxed" if mine.startswith("┏") else "compact"] += 1
        assert mine == _rich(cells, columns, width), (width, columns, cells)
    assert min(drawn.values()) > 20, drawn


def test_what_rich_would_change_is_left_to_rich() -> None:
    cols = [Column("a"), Column("n", justify="right")]
    for cells in ([["x\ty", "1"]], [["wide 漢字", "1"]], [["two\nlines", "1"]], [["e\u0301", "1"]]):
        assert plain_table.render(cells, cols, 80) is None, cells
    for cells in ([["x", "1"]], [["x", " 1 "]], [["  indented", "1"]], [["a " * 50, "1"]]):
        assert plain_table.render(cells, cols, 80) == _rich(cells, cols, 80), cells
    assert plain_table.render([["x" * 90, "1"]], cols, 80) is None  # folds the word
    short = [Column("a", short="A"), Column("n", justify="right")]
    assert plain_table.render([["a " * 50, "1"]], short, 80) is None  # a legend below


def test_tally_and_words_into_a_pipe_do_not_import_rich() -> None:
    code = (
        "import sys\n"
        "from grondmotief.cli.app import main\n"
        "sys.argv = ['grondmotief', '--study', sys.argv[1], *sys.argv[2:]]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('rich' in sys.modules, file=sys.stderr)\n"
    )
    env = {"PATH": "/usr/bin:/bin", "COLUMNS": "100", **_pythonpath()}
    for args in (["tally"], ["words", "--limit", "5"], ["tally", "--group", "theme"]):
        run = [sys.executable, "-c", code, str(REPO), *args]
        # A first run fills the caches (words may parse with spaCy and report progress with rich);
        # the claim is about the everyday run on an unchanged study.
        subprocess.run(run, capture_output=True, text=True, env=env, check=True)
        out = subprocess.run(run, capture_output=True, text=True, env=env)
        assert out.stdout.startswith(("┏", "code", "lemma")), args
        assert out.stderr.strip().splitlines()[-1] == "False", (args, out.stderr)


def _pythonpath() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k in ("PYTHONPATH", "HOME")}
